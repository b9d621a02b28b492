// Least-privilege IAM policy documents as plain JSON (no provider call, so they are testable offline).
import { partitionKeyPattern, USER_INDEX, type ItemKind } from '../functions/lib/token-table';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyJson {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** What one function may do in the table: actions on items of the named kinds (by partition key). */
export interface TableAccess {
  actions: readonly string[];
  kinds: readonly ItemKind[];
  /** Further actions on other kinds, each its own statement (not every action on every kind). */
  also?: readonly { actions: readonly string[]; kinds: readonly ItemKind[] }[];
  /**
   * A Scan names no key, so `dynamodb:LeadingKeys` cannot bound it: it is granted apart, limited to reading
   * these attributes (`dynamodb:Attributes`), never every attribute of every item.
   */
  scanAttributes?: readonly string[];
  /** Indexes of the table the function queries (`dynamodb:Query` on `<table>/index/<name>`, nothing else). */
  indexes?: readonly string[];
}

/** The DynamoDB actions and item kinds each function's code uses, nothing more. Unlisted: no table access. */
export const TABLE_ACCESS: Readonly<Record<string, TableAccess>> = {
  // One BatchGetItem per request: revoked token, session, user, client.
  authorizer: { actions: ['dynamodb:BatchGetItem'], kinds: ['revoked', 'session', 'user', 'client'] },
  auth: {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    kinds: ['user', 'username', 'client', 'session', 'refresh', 'revoked', 'login'],
  },
  messages: { actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], kinds: ['message'] },
  users: {
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    kinds: ['user'],
    // The lease that serializes taking away a role that manages roles (functions/users/role-guard.ts).
    also: [{ actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], kinds: ['roleGuard'] }],
    // The admin listing queries the sparse user index (functions/users/user-store.ts).
    indexes: [USER_INDEX.name],
    // The last-manager check scans, strongly consistent, for another holder, reading keys only
    // (functions/users/role-guard.ts).
    scanAttributes: ['pk'],
  },
};

/** X-Ray's write actions; X-Ray has no resource-level permissions, so their resource is `*`. */
export const TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/** The trust policy letting Lambda assume a function's role. */
export function lambdaAssumeRolePolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
}

export interface FunctionGrants {
  /** The function's own log group ARN (without the `:*` suffix). */
  logGroupArn: string;
  tableArn: string;
  table: TableAccess;
  /** The one secret the function may read (the signing keys of the token service). */
  secretArn?: string;
  /** Send X-Ray traces (active tracing). */
  tracing?: boolean;
}

/**
 * A function's inline policy: write its own log group, the table actions it uses on the item kinds it uses, at
 * most one secret, and X-Ray when tracing.
 */
export function functionPolicy(grants: FunctionGrants): PolicyJson {
  const statements: Statement[] = [
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${grants.logGroupArn}:*`],
    },
  ];
  const { table } = grants;
  for (const [i, access] of [table, ...(table.also ?? [])].entries()) {
    if (access.actions.length === 0 || access.kinds.length === 0) continue;
    // The table itself only (index ARNs get their own statement, with Query alone), and only items whose
    // partition key belongs to the kinds. `Null` false: a request naming no key is not let through, since
    // ForAllValues over an empty set is true.
    statements.push({
      Sid: i === 0 ? 'UseOwnItems' : `UseOwnItems${i + 1}`,
      Effect: 'Allow',
      Action: [...access.actions],
      Resource: [grants.tableArn],
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.kinds.map(partitionKeyPattern) },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    });
  }
  if (table.scanAttributes !== undefined) {
    statements.push({
      Sid: 'ScanListedAttributes',
      Effect: 'Allow',
      Action: ['dynamodb:Scan'],
      Resource: [grants.tableArn],
      Condition: {
        // AWS's documented form; `Null` false: a Scan projecting nothing (every attribute) is refused.
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...table.scanAttributes] },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        Null: { 'dynamodb:Attributes': 'false' },
      },
    });
  }
  if ((table.indexes ?? []).length > 0) {
    statements.push({
      Sid: 'QueryIndexes',
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: (table.indexes ?? []).map((name) => `${grants.tableArn}/index/${name}`),
    });
  }
  if (grants.secretArn !== undefined) {
    statements.push({
      Sid: 'ReadSigningKeys',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [grants.secretArn],
    });
  }
  if (grants.tracing === true) {
    statements.push({ Sid: 'WriteTraces', Effect: 'Allow', Action: [...TRACE_ACTIONS], Resource: ['*'] });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** API Gateway's role for writing access logs (account-wide setting; AWS's managed policy is `*` on logs). */
export function apiGatewayLoggingPolicy(partition: string, region: string, accountId: string): PolicyJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'WriteApiGatewayLogs',
        Effect: 'Allow',
        Action: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:DescribeLogGroups',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
          'logs:GetLogEvents',
          'logs:FilterLogEvents',
        ],
        Resource: [`arn:${partition}:logs:${region}:${accountId}:*`],
      },
    ],
  };
}

export function apiGatewayAssumeRolePolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
}
