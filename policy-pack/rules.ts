// The guardrails as plain functions over a resource's properties: each returns its violations, empty when fine.
import { MAX_AUTHORIZER_TTL_SECONDS, ROUTE_AUTHORIZER, TOKEN_AUTHORIZER } from '../policies/openapi';

type Props = Record<string, unknown>;

/** What a rule knows besides the resource: the public routes of scopes.yaml and the configured bounds. */
export interface RuleContext {
  /** `METHOD /path` of every route scopes.yaml declares public. */
  publicRoutes: ReadonlySet<string>;
  /** Upper bound of an authorizer's result TTL in seconds. */
  maxAuthorizerTtlSeconds: number;
}

export interface Rule {
  name: string;
  description: string;
  /** Pulumi type tokens the rule applies to. */
  types: readonly string[];
  validate(type: string, props: Props, context: RuleContext): string[];
}

export const REST_API = 'aws:apigateway/restApi:RestApi';
export const AUTHORIZER = 'aws:apigateway/authorizer:Authorizer';
export const TABLE = 'aws:dynamodb/table:Table';
export const PERMISSION = 'aws:lambda/permission:Permission';
export const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
export const IAM_POLICY_TYPES = [
  'aws:iam/policy:Policy',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/userPolicy:UserPolicy',
  'aws:iam/groupPolicy:GroupPolicy',
  'aws:iam/role:Role',
] as const;

/** API Gateway's own default when an authorizer sets no TTL. */
const API_GATEWAY_DEFAULT_TTL = 300;
const AUTHORIZERS = [TOKEN_AUTHORIZER, `${TOKEN_AUTHORIZER}-*`, ROUTE_AUTHORIZER];
/** The product's authorizers: the token-cached ones (one per cache group) and the per-route one. */
const isProductAuthorizer = (name: string): boolean =>
  name === TOKEN_AUTHORIZER || name === ROUTE_AUTHORIZER || name.startsWith(`${TOKEN_AUTHORIZER}-`);
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

const isRecord = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The OpenAPI document a RestApi imports (its `body`, JSON), or a violation when there is none to check. */
function documentOf(props: Props): { document?: Props; problem?: string } {
  const body = props.body;
  if (body === undefined) return {};
  if (typeof body !== 'string') return { problem: 'body is not an OpenAPI document in JSON' };
  try {
    const document: unknown = JSON.parse(body);
    return isRecord(document) ? { document } : { problem: 'body is not an OpenAPI document in JSON' };
  } catch {
    return { problem: 'body is not valid JSON' };
  }
}

/** Security requirements of an operation (its own, else the document's); `[]` or `[{}]` admit anyone. */
function requirementsOf(operation: Props, document: Props): Props[] {
  const security = operation.security ?? document.security;
  return Array.isArray(security) ? security.filter(isRecord) : [];
}

/**
 * Every method but OPTIONS requires one of the product's authorizers, except the routes scopes.yaml declares
 * public; a route public in the document but private in scopes.yaml is exactly the mistake this catches.
 */
export function checkApiAuthorizers(props: Props, context: RuleContext): string[] {
  const { document, problem } = documentOf(props);
  if (problem !== undefined) return [problem];
  if (document === undefined) return [];
  const schemes = isRecord(document.components) ? document.components.securitySchemes : undefined;
  const violations: string[] = [];
  for (const [path, operations] of Object.entries(isRecord(document.paths) ? document.paths : {})) {
    if (!isRecord(operations)) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (!HTTP_METHODS.has(method) || method === 'options' || !isRecord(operation)) continue;
      const route = `${method.toUpperCase()} ${path}`;
      const requirements = requirementsOf(operation, document);
      // Any alternative without a requirement ({}) lets an unauthenticated caller through.
      const open = requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0);
      if (open) {
        if (!context.publicRoutes.has(route)) {
          violations.push(`${route} has no authorizer but scopes.yaml does not declare it public`);
        }
        continue;
      }
      const unknown = requirements
        .flatMap((r) => Object.keys(r))
        .filter(
          (name) => !isProductAuthorizer(name) || !isRecord(isRecord(schemes) ? schemes[name] : undefined),
        );
      if (unknown.length > 0) {
        violations.push(
          `${route} uses authorizer "${unknown[0]!}". Expected one of: ${AUTHORIZERS.join(', ')}`,
        );
      }
    }
  }
  return violations;
}

function ttlProblem(where: string, ttl: unknown, max: number): string[] {
  const seconds = ttl ?? API_GATEWAY_DEFAULT_TTL;
  if (typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 && seconds <= max) return [];
  return [
    `${where}: authorizer result TTL ${JSON.stringify(seconds)} is out of range. Expected an integer 0..${max}`,
  ];
}

/** A cached Allow outlives a revocation by up to the TTL: keep it within the configured bound. */
export function checkAuthorizerTtl(type: string, props: Props, context: RuleContext): string[] {
  const max = Math.min(context.maxAuthorizerTtlSeconds, MAX_AUTHORIZER_TTL_SECONDS);
  if (type === AUTHORIZER) {
    return ttlProblem(`authorizer ${String(props.name)}`, props.authorizerResultTtlInSeconds, max);
  }
  const { document } = documentOf(props);
  const schemes = isRecord(document?.components) ? document.components.securitySchemes : undefined;
  return Object.entries(isRecord(schemes) ? schemes : {}).flatMap(([name, scheme]) => {
    const authorizer = isRecord(scheme) ? scheme['x-amazon-apigateway-authorizer'] : undefined;
    return isRecord(authorizer)
      ? ttlProblem(`security scheme ${name}`, authorizer.authorizerResultTtlInSeconds, max)
      : [];
  });
}

/**
 * Point-in-time recovery on, and encryption with a KMS key (AWS-managed or the customer's) rather than the
 * AWS-owned default key: every table is encrypted anyway, so only a KMS key makes the rule mean something (key
 * use shows in CloudTrail and access to the key can be revoked).
 */
export function checkTable(props: Props): string[] {
  const violations: string[] = [];
  const recovery = props.pointInTimeRecovery;
  if (!isRecord(recovery) || recovery.enabled !== true) {
    violations.push('point-in-time recovery is off. Expected pointInTimeRecovery: { enabled: true }');
  }
  const encryption = props.serverSideEncryption;
  if (!isRecord(encryption) || encryption.enabled !== true) {
    violations.push(
      'encryption uses the AWS-owned default key. Expected serverSideEncryption: { enabled: true } (a KMS key)',
    );
  }
  return violations;
}

/** An imported document API Gateway only partly accepts would otherwise deploy what was left, silently. */
export function checkFailOnWarnings(props: Props): string[] {
  if (props.body === undefined || props.failOnWarnings === true) return [];
  return ['imports a document but ignores import warnings. Expected failOnWarnings: true'];
}

const EXECUTE_API_ARN = /^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:([a-z0-9]+)\/.+$/;

/** The API id in a permission's source ARN, when it names exactly one API. */
export function sourceApiId(sourceArn: unknown): string | undefined {
  return typeof sourceArn === 'string' ? EXECUTE_API_ARN.exec(sourceArn)?.[1] : undefined;
}

/** Only API Gateway may invoke a function, and only from one named API (no `*` in place of its id). */
export function checkLambdaPermission(props: Props): string[] {
  const violations: string[] = [];
  if (props.principal !== 'apigateway.amazonaws.com') {
    violations.push(
      `principal "${String(props.principal)}" is not allowed. Expected apigateway.amazonaws.com`,
    );
  }
  if (sourceApiId(props.sourceArn) === undefined) {
    violations.push(
      `sourceArn "${String(props.sourceArn)}" does not name one API. Expected ` +
        'arn:aws:execute-api:<region>:<account>:<api-id>/...',
    );
  }
  return violations;
}

/** The API a permission names is one this stack creates. */
export function checkPermissionsNameThisApi(resources: readonly { type: string; props: Props }[]): string[] {
  const apiIds = new Set(
    resources
      .filter((r) => r.type === REST_API)
      .map((r) => sourceApiId(`${String(r.props.executionArn)}/*`) ?? ''),
  );
  return resources
    .filter((r) => r.type === PERMISSION)
    .flatMap((r) => {
      const id = sourceApiId(r.props.sourceArn);
      return id === undefined || apiIds.has(id)
        ? []
        : [`permission for ${String(r.props.function)} names API ${id}, which this stack does not create`];
    });
}

/** Logs expire: `retentionInDays` set and positive (0 or unset keeps them forever). */
export function checkLogRetention(props: Props): string[] {
  const days = props.retentionInDays;
  return typeof days === 'number' && days > 0
    ? []
    : [`log group ${String(props.name)} keeps logs forever. Expected retentionInDays > 0`];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function policyDocuments(type: string, props: Props): unknown[] {
  if (type === 'aws:iam/role:Role') {
    return list(props.inlinePolicies)
      .filter(isRecord)
      .map((p) => p.policy);
  }
  return [props.policy];
}

/** No statement allows every action on every resource (`*` on `*`), in any policy document form. */
export function checkNoAdminStatements(type: string, props: Props): string[] {
  return policyDocuments(type, props).flatMap((policy) => {
    let document: unknown = policy;
    if (typeof policy === 'string') {
      try {
        document = JSON.parse(policy);
      } catch {
        return ['policy is not valid JSON'];
      }
    }
    if (!isRecord(document)) return [];
    return list(document.Statement)
      .filter(isRecord)
      .filter(
        (s) =>
          s.Effect === 'Allow' &&
          list(s.Action).some((a) => a === '*' || a === '*:*') &&
          list(s.Resource).includes('*'),
      )
      .map((s) => `statement ${typeof s.Sid === 'string' ? `"${s.Sid}" ` : ''}allows "*" on "*"`);
  });
}

/** Every resource rule of the pack, in the order the pack declares them. */
export const RULES: readonly Rule[] = [
  {
    name: 'api-methods-use-authorizer',
    description:
      "Every API method but OPTIONS and scopes.yaml's public routes uses one of scopegate's authorizers.",
    types: [REST_API],
    validate: (_type, props, context) => checkApiAuthorizers(props, context),
  },
  {
    name: 'authorizer-ttl-bounded',
    description: 'Authorizer result TTLs stay within the configured bound (a revoked token works that long).',
    types: [REST_API, AUTHORIZER],
    validate: checkAuthorizerTtl,
  },
  {
    name: 'rest-api-fails-on-warnings',
    description: 'A REST API imported from a document fails the update on any import warning.',
    types: [REST_API],
    validate: (_type, props) => checkFailOnWarnings(props),
  },
  {
    name: 'dynamodb-recoverable-and-encrypted',
    description: 'DynamoDB tables have point-in-time recovery and KMS encryption.',
    types: [TABLE],
    validate: (_type, props) => checkTable(props),
  },
  {
    name: 'lambda-invoked-by-api-gateway-only',
    description: 'Lambda permissions admit API Gateway only, from one named API.',
    types: [PERMISSION],
    validate: (_type, props) => checkLambdaPermission(props),
  },
  {
    name: 'log-groups-have-retention',
    description: 'CloudWatch log groups expire their logs.',
    types: [LOG_GROUP],
    validate: (_type, props) => checkLogRetention(props),
  },
  {
    name: 'no-iam-star-on-star',
    description: 'No IAM statement allows "*" on "*".',
    types: IAM_POLICY_TYPES,
    validate: (type, props) => checkNoAdminStatements(type, props),
  },
];
