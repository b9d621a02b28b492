// One Lambda function with what always comes with it: its own role, inline policy and log group.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { functionPolicy, lambdaAssumeRolePolicy, type TableAccess } from './iam';

export interface LambdaFunctionArgs {
  /** The physical name; fixed so the API document can name the function before it exists (no cycle). */
  functionName: string;
  code: pulumi.asset.AssetArchive;
  /** `index.<export>`. */
  handler: string;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  tableArn: pulumi.Input<string>;
  /** The table actions and item kinds the function's code uses. */
  table: TableAccess;
  secretArn?: pulumi.Input<string>;
  logRetentionDays: number;
  /** X-Ray active tracing. */
  tracing: boolean;
  tags: Record<string, string>;
  memorySize?: number;
  timeout?: number;
}

/** The current Node.js runtime on Graviton (cheaper per ms than x86 for the same work). */
export const RUNTIME = 'nodejs22.x';
export const ARCHITECTURE = 'arm64';

/** `<project>-<stack>-<function>`; Lambda allows 64 characters of letters, digits, - and _. */
export function lambdaName(prefix: string, fn: string): string {
  const name = `${prefix}-${fn}`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new Error(
      `function name "${name}" is not a valid Lambda name. Expected at most 64 letters, digits, - or _`,
    );
  }
  return name;
}

export class LambdaFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly policy: aws.iam.RolePolicy;

  constructor(name: string, args: LambdaFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('scopegate:lambda:Function', name, {}, opts);
    const parent = { parent: this };

    this.logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, tags: args.tags },
      parent,
    );
    this.role = new aws.iam.Role(
      name,
      { assumeRolePolicy: lambdaAssumeRolePolicy(), tags: args.tags },
      parent,
    );
    this.policy = new aws.iam.RolePolicy(
      name,
      {
        role: this.role.id,
        policy: pulumi
          .all([this.logGroup.arn, args.tableArn, args.secretArn])
          .apply(([logGroupArn, tableArn, secretArn]) =>
            JSON.stringify(
              functionPolicy({
                logGroupArn,
                tableArn,
                table: args.table,
                secretArn,
                tracing: args.tracing,
              }),
            ),
          ),
      },
      parent,
    );
    this.function = new aws.lambda.Function(
      name,
      {
        name: args.functionName,
        role: this.role.arn,
        runtime: RUNTIME,
        architectures: [ARCHITECTURE],
        handler: args.handler,
        code: args.code,
        memorySize: args.memorySize ?? 256,
        timeout: args.timeout ?? 10,
        environment: { variables: args.environment },
        loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
        tracingConfig: { mode: args.tracing ? 'Active' : 'PassThrough' },
        tags: args.tags,
      },
      // The policy first: a cold start before it exists would fail on the table.
      { parent: this, dependsOn: [this.policy, this.logGroup] },
    );
    this.registerOutputs({ functionArn: this.function.arn, roleArn: this.role.arn });
  }
}
