// scopegate on AWS: scopes.yaml and the stack configuration become one DynamoDB table, one Lambda per function,
// the Lambda authorizer and a REST API imported from a single OpenAPI document; optionally a custom domain,
// alarms, a dashboard and a WAF web ACL.
import * as path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { TTL_ATTRIBUTE, USER_INDEX } from './functions/lib/token-table';
import { formatDiagnostic } from './policies';
import { toOpenApi } from './policies/openapi';
import { bundledModel } from './policies/runtime-model';
import { createRestApi, publishApi } from './infra/api';
import { AUTHORIZER_DISPATCH, bundleArchive, bundleCode } from './infra/bundle';
import { parseStackConfig } from './infra/config';
import { customDomain } from './infra/domain';
import { TABLE_ACCESS, type TableAccess } from './infra/iam';
import { LambdaFunction, lambdaName } from './infra/lambda-function';
import { monitoring } from './infra/monitoring';
import {
  authorizerIssuers,
  checkTokenServiceConfig,
  functionEnvironment,
  TOKEN_SERVICE,
  type Environment,
} from './infra/environment';
import { AUTHORIZER, checkRouteCoverage, listFunctionFolders, loadScopes } from './infra/scopes';
import { publicJwksOf, SIGNING_KEY_CONFIG } from './infra/signing-key';
import { webAcl } from './infra/waf';

/** Outputs of the stack (`pulumi stack output`). */
interface ScopegateOutputs {
  apiUrl: pulumi.Output<string>;
  issuer: pulumi.Output<string>;
  jwksUrl: pulumi.Output<string>;
  tableName: pulumi.Output<string>;
}

const FUNCTIONS_DIR = path.join(__dirname, 'functions');
const NO_TABLE: TableAccess = { actions: [], kinds: [] };

function scopegate(): ScopegateOutputs {
  // Configuration: validated up front, so `pulumi preview` names a bad key before anything is planned.
  const settings = new pulumi.Config();
  const config = parseStackConfig((key) => settings.get(key));
  const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
  // On every taggable resource; `aws:defaultTags` in the stack configuration adds the organisation's own.
  const tags = { 'pulumi:project': pulumi.getProject(), 'pulumi:stack': pulumi.getStack() };

  // The scope model, compiled once; the authorizer bundle carries it as data.
  const functionNames = listFunctionFolders(FUNCTIONS_DIR);
  const scopesPath = path.resolve(__dirname, config.scopesFile);
  const model = loadScopes(scopesPath, functionNames);
  // A declared route its function does not serve would pass the authorizer and get a 404.
  const coverage = checkRouteCoverage(scopesPath, model, FUNCTIONS_DIR);
  for (const problem of [...coverage.errors, ...coverage.warnings])
    void pulumi.log.warn(formatDiagnostic(problem));
  const routeFunctions = [...new Set(model.routes.map((route) => route.function))].sort();
  const builtin = config.identity.kind === 'builtin';
  const tokenService = routeFunctions.includes(TOKEN_SERVICE);
  checkTokenServiceConfig(config, model, tokenService);

  // Where this stack runs; function ARNs are known before the functions exist, which breaks the
  // API -> function (integration) / function -> API (issuer URL) cycle.
  const { accountId } = aws.getCallerIdentityOutput();
  const { region } = aws.getRegionOutput();
  const { partition, dnsSuffix } = aws.getPartitionOutput();
  const invokeArn = (fn: string): pulumi.Output<string> =>
    pulumi.interpolate`arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/arn:${partition}:lambda:${region}:${accountId}:function:${lambdaName(prefix, fn)}/invocations`;

  // The table: tokens, sessions, users and the sample API's items.
  const table = new aws.dynamodb.Table('table', {
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'pk',
    rangeKey: 'sk',
    attributes: [
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
      { name: USER_INDEX.partitionKey, type: 'S' },
      { name: USER_INDEX.sortKey, type: 'S' },
    ],
    // Users only, by name: GET /users pages over it instead of scanning the whole table.
    globalSecondaryIndexes: [
      {
        name: USER_INDEX.name,
        hashKey: USER_INDEX.partitionKey,
        rangeKey: USER_INDEX.sortKey,
        projectionType: 'INCLUDE',
        nonKeyAttributes: [...USER_INDEX.projected],
      },
    ],
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true },
    ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
    deletionProtectionEnabled: config.tableDeletionProtection,
    tags,
  });

  // The token service's private keys: a Pulumi secret, kept in Secrets Manager, read by that function only.
  const signingKeys = tokenService ? settings.requireSecret(SIGNING_KEY_CONFIG) : undefined;
  const secret =
    signingKeys && new aws.secretsmanager.Secret('signing-keys', { recoveryWindowInDays: 7, tags });
  if (secret && signingKeys) {
    new aws.secretsmanager.SecretVersion('signing-keys', {
      secretId: secret.id,
      // Validated here so a malformed key fails the preview, naming the key but never quoting it.
      secretString: signingKeys.apply((text) => {
        publicJwksOf(text);
        return text;
      }),
    });
  }

  // The API document; the REST API exists before the functions so the issuer URL can name it.
  const document = pulumi.all([...routeFunctions.map(invokeArn), invokeArn(AUTHORIZER)]).apply((arns) =>
    toOpenApi(model, {
      title: prefix,
      functionInvokeArns: Object.fromEntries(routeFunctions.map((fn, i) => [fn, arns[i]!])),
      tokenAuthorizerInvokeArn: arns[routeFunctions.length]!,
      routeAuthorizerInvokeArn: arns[routeFunctions.length]!,
      authorizerTtlSeconds: config.authorizerCacheTtl,
      corsOrigins: config.corsOrigins,
    }),
  );
  const restApi = createRestApi('api', prefix, document, tags);
  // A custom domain serves the API at its root: the issuer has no path (RFC 8414 discovery works).
  const issuer =
    config.identity.kind === 'oidc'
      ? pulumi.output(config.identity.issuer)
      : config.domain !== undefined
        ? pulumi.output(`https://${config.domain.name}`)
        : pulumi.interpolate`https://${restApi.id}.execute-api.${region}.${dnsSuffix}/${config.stageName}`;
  const jwksUrl =
    config.identity.kind === 'oidc'
      ? pulumi.output(config.identity.jwksUri)
      : pulumi.interpolate`${issuer}/.well-known/jwks.json`;

  // One function per folder named in scopes.yaml, plus the authorizer; bundled, never closure-serialized.
  const define = { __SCOPEGATE_MODEL__: bundledModel(model) };
  const lambda = (fn: string, code: string, environment: Environment, secretArn?: pulumi.Output<string>) =>
    new LambdaFunction(fn, {
      functionName: lambdaName(prefix, fn),
      code: bundleArchive(code),
      handler: 'index.handler',
      environment,
      tableArn: table.arn,
      table: fn === AUTHORIZER && !builtin ? NO_TABLE : (TABLE_ACCESS[fn] ?? NO_TABLE),
      secretArn,
      logRetentionDays: config.logRetentionDays,
      tracing: config.tracing,
      tags,
      // scrypt at OWASP cost needs 128 MiB and a full core; Lambda's CPU share grows with memory.
      ...(fn === TOKEN_SERVICE ? { memorySize: 1769 } : {}),
    });
  const integrations = Object.fromEntries(
    routeFunctions.map((fn) => {
      const secretArn = fn === TOKEN_SERVICE ? secret?.arn : undefined;
      const environment = functionEnvironment(fn, {
        config,
        model,
        tableName: table.name,
        issuer,
        secretArn,
      });
      return [fn, lambda(fn, bundleCode(FUNCTIONS_DIR, fn, { define }), environment, secretArn).function];
    }),
  );
  // The token-cached and the per-route authorizer share one function: one warm pool, one verified-key cache.
  const authorizerFunction = lambda(
    AUTHORIZER,
    bundleCode(FUNCTIONS_DIR, AUTHORIZER, { define, entrySource: AUTHORIZER_DISPATCH }),
    {
      SCOPEGATE_TABLE: builtin ? table.name : '',
      SCOPEGATE_ISSUERS: authorizerIssuers(
        config,
        issuer,
        signingKeys && pulumi.unsecret(signingKeys.apply(publicJwksOf)),
      ),
    },
  );

  // Deploy: permissions for this API only, a deployment per document change, a throttled, logged stage.
  const { stage } = publishApi('api', restApi, document, {
    apiName: prefix,
    stageName: config.stageName,
    throttleRateLimit: config.throttleRateLimit,
    throttleBurstLimit: config.throttleBurstLimit,
    logRetentionDays: config.logRetentionDays,
    manageApiGatewayAccount: config.manageApiGatewayAccount,
    tracing: config.tracing,
    tags,
    partition,
    region,
    accountId,
    integrations,
    authorizers: { [AUTHORIZER]: authorizerFunction.function },
  });

  // Production options, each declared only when configured (README, "Running in production").
  const domainUrl = config.domain && customDomain('api', { domain: config.domain, restApi, stage, tags });
  monitoring('monitoring', {
    watched: {
      apiName: prefix,
      stageName: config.stageName,
      authorizerFunction: lambdaName(prefix, AUTHORIZER),
      ...(tokenService ? { tokenServiceFunction: lambdaName(prefix, TOKEN_SERVICE) } : {}),
    },
    config,
    authorizerLogGroup: authorizerFunction.logGroup,
    region,
    tags,
  });
  if (config.wafAuthRateLimit > 0) {
    webAcl('api', {
      apiName: prefix,
      stage,
      stageName: config.stageName,
      authRateLimit: config.wafAuthRateLimit,
      tags,
    });
  }

  return { apiUrl: domainUrl ?? stage.invokeUrl, issuer, jwksUrl, tableName: table.name };
}

export = scopegate;
