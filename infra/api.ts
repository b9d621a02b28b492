// The REST API imported from one OpenAPI document: deployment (redeployed on a document hash), stage, logs.
import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { OpenApiDocument } from '../policies/openapi';
import { apiGatewayAssumeRolePolicy, apiGatewayLoggingPolicy } from './iam';

/** The deployment trigger: changes exactly when the document API Gateway imports changes. */
export function documentHash(document: OpenApiDocument): string {
  return createHash('sha256').update(JSON.stringify(document)).digest('hex');
}

/** Access log line: who called what and how it ended; never a header, so never a token. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  time: '$context.requestTimeEpoch',
  method: '$context.httpMethod',
  resource: '$context.resourcePath',
  status: '$context.status',
  principal: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  authorizerLatency: '$context.authorizer.latency',
  integrationStatus: '$context.integration.status',
  latency: '$context.responseLatency',
  responseLength: '$context.responseLength',
});

/** Tags for every taggable resource: project and stack, beside the provider's `aws:defaultTags`. */
export type Tags = Record<string, string>;

/** The stage API Gateway's console uses for "Test" invocations of a method (not a deployed stage). */
export const TEST_INVOKE_STAGE = 'test-invoke-stage';

export interface ApiArgs {
  apiName: string;
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  logRetentionDays: number;
  /** Set the account-wide CloudWatch role API Gateway needs for access logs (kept when the stack is deleted). */
  manageApiGatewayAccount: boolean;
  /** X-Ray tracing of the stage. */
  tracing: boolean;
  tags: Tags;
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /**
   * Lambda functions API Gateway invokes as integrations: one permission each for this stage, and one for the
   * console's test invocations.
   */
  integrations: Record<string, aws.lambda.Function>;
  /** The authorizer function(s); invoked from this API's authorizers only. */
  authorizers: Record<string, aws.lambda.Function>;
}

export interface PublishedApi {
  deployment: aws.apigateway.Deployment;
  stage: aws.apigateway.Stage;
}

/**
 * The REST API with every route, integration and authorizer from one document: the resource count depends on
 * the number of functions, never on the number of routes.
 */
export function createRestApi(
  name: string,
  apiName: string,
  document: pulumi.Output<OpenApiDocument>,
  tags: Tags,
): aws.apigateway.RestApi {
  return new aws.apigateway.RestApi(name, {
    name: apiName,
    body: document.apply((value) => JSON.stringify(value)),
    endpointConfiguration: { types: 'REGIONAL' },
    // A document API Gateway imports only in part (it warns and skips) fails the update instead.
    failOnWarnings: true,
    tags,
  });
}

/** Lets the API invoke its functions, deploys the document (again whenever it changes) and serves a stage. */
export function publishApi(
  name: string,
  restApi: aws.apigateway.RestApi,
  document: pulumi.Output<OpenApiDocument>,
  args: ApiArgs,
): PublishedApi {
  const integrationPermission = (id: string, target: aws.lambda.Function, stage: string) =>
    new aws.lambda.Permission(id, {
      function: target.name,
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: pulumi.interpolate`${restApi.executionArn}/${stage}/*`,
    });
  const permissions = [
    ...Object.entries(args.integrations).flatMap(([fn, target]) => [
      integrationPermission(`${name}-${fn}`, target, args.stageName),
      integrationPermission(`${name}-${fn}-test-invoke`, target, TEST_INVOKE_STAGE),
    ]),
    ...Object.entries(args.authorizers).map(
      ([fn, target]) =>
        new aws.lambda.Permission(`${name}-${fn}`, {
          function: target.name,
          action: 'lambda:InvokeFunction',
          principal: 'apigateway.amazonaws.com',
          sourceArn: pulumi.interpolate`${restApi.executionArn}/authorizers/*`,
        }),
    ),
  ];

  const deployment = new aws.apigateway.Deployment(
    name,
    { restApi: restApi.id, triggers: { document: document.apply(documentHash) } },
    { dependsOn: permissions },
  );

  const account = args.manageApiGatewayAccount ? apiGatewayAccount(name, args) : undefined;
  const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access`, {
    name: pulumi.interpolate`/aws/apigateway/${args.apiName}/${args.stageName}/access`,
    retentionInDays: args.logRetentionDays,
    tags: args.tags,
  });
  const stage = new aws.apigateway.Stage(
    name,
    {
      restApi: restApi.id,
      deployment: deployment.id,
      stageName: args.stageName,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      xrayTracingEnabled: args.tracing,
      tags: args.tags,
    },
    { dependsOn: account === undefined ? [] : [account] },
  );
  new aws.apigateway.MethodSettings(name, {
    restApi: restApi.id,
    stageName: stage.stageName,
    methodPath: '*/*',
    settings: {
      throttlingRateLimit: args.throttleRateLimit,
      throttlingBurstLimit: args.throttleBurstLimit,
      metricsEnabled: true,
    },
  });
  return { deployment, stage };
}

/**
 * API Gateway writes access logs only once the account (per region) names a CloudWatch role. The setting is
 * account-wide and deleting `aws.apigateway.Account` resets it for every API of the region, so the setting,
 * its role and the role's policy stay when this stack is deleted (other stacks' APIs rely on them).
 */
function apiGatewayAccount(name: string, args: ApiArgs): aws.apigateway.Account {
  const keep = { retainOnDelete: true };
  const role = new aws.iam.Role(
    `${name}-cloudwatch`,
    { assumeRolePolicy: apiGatewayAssumeRolePolicy(), tags: args.tags },
    keep,
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-cloudwatch`,
    {
      role: role.id,
      policy: pulumi
        .all([args.partition, args.region, args.accountId])
        .apply(([partition, region, accountId]) =>
          JSON.stringify(apiGatewayLoggingPolicy(partition, region, accountId)),
        ),
    },
    keep,
  );
  return new aws.apigateway.Account(name, { cloudwatchRoleArn: role.arn }, { ...keep, dependsOn: [policy] });
}
