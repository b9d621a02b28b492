// Least-privilege IAM policy documents as plain JSON (no provider call, so they are testable offline).

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
}

export interface PolicyJson {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** The DynamoDB actions each function's code issues, nothing more. A function not listed gets no table access. */
export const TABLE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // One BatchGetItem per request: revoked token, session, user, client.
  authorizer: ['dynamodb:BatchGetItem'],
  auth: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  messages: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  // PutItem and DeleteItem: the lease that serializes taking a role that manages roles.
  users: [
    'dynamodb:GetItem',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:DeleteItem',
  ],
};

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
  tableActions: readonly string[];
  /** The one secret the function may read (the signing keys of the token service). */
  secretArn?: string;
}

/** A function's inline policy: write its own log group, the table actions it uses, and at most one secret. */
export function functionPolicy(grants: FunctionGrants): PolicyJson {
  const statements: Statement[] = [
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${grants.logGroupArn}:*`],
    },
  ];
  if (grants.tableActions.length > 0) {
    // The table itself only: no index or stream ARNs, since no function queries an index.
    statements.push({
      Sid: 'UseTable',
      Effect: 'Allow',
      Action: [...grants.tableActions],
      Resource: [grants.tableArn],
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
  return { Version: '2012-10-17', Statement: statements };
}

/** API Gateway's role for writing access logs (account-wide setting; AWS's managed policy is `*` on logs). */
export function apiGatewayLoggingPolicy(region: string, accountId: string): PolicyJson {
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
        Resource: [`arn:aws:logs:${region}:${accountId}:*`],
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
