// The stack configuration: every key read, validated and defaulted in one place, errors naming the key.
import { MAX_AUTHORIZER_TTL_SECONDS } from '../policies/openapi';
import { ASYMMETRIC_ALGORITHMS } from '../functions/authorizer/algorithms';
import { parseIdentityProviders, type IssuerConfig } from '../functions/authorizer/providers/index';

/** The configuration namespace (the project name in Pulumi.yaml). */
export const NAMESPACE = 'scopegate';

/** A configuration value `pulumi preview` must refuse; the message starts with the full key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type IdentitySource =
  | { kind: 'builtin'; audience: string }
  | {
      kind: 'oidc';
      issuer: string;
      audience: string;
      jwksUri: string;
      rolesClaim: string;
      algorithms: string[];
    };

export interface StackConfig {
  scopesFile: string;
  identity: IdentitySource;
  /** More trusted token issuers (Cognito, Auth0, Okta, Entra ID, Keycloak, OIDC), chosen by `iss`. */
  identityProviders: IssuerConfig[];
  /** Also the longest time a revoked token keeps working (a cached Allow is not re-checked). */
  authorizerCacheTtl: number;
  accessTokenTtl: number;
  refreshIdleTtl: number;
  refreshAbsoluteTtl: number;
  /** Roles a new sign-up receives. */
  defaultRoles: string[];
  corsOrigins: string[];
  logRetentionDays: number;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  stageName: string;
  tableDeletionProtection: boolean;
  manageApiGatewayAccount: boolean;
  /** The API at the root of a custom domain (README, "Running in production"). */
  domain: CustomDomain | undefined;
  /** Where alarms notify: an existing SNS topic or an e-mail address (a topic is created for it). */
  alarms: { topicArn: string } | { email: string } | undefined;
  dashboard: boolean;
  tracing: boolean;
  /** Requests one IP address may send to /auth/* in 5 minutes; 0: no web ACL. */
  wafAuthRateLimit: number;
}

export interface CustomDomain {
  name: string;
  /** An ACM certificate in the stack's region covering `name`. */
  certificateArn: string;
  /** A Route 53 public hosted zone for `name`: an alias record is created there. */
  hostedZoneId: string | undefined;
}

/** AWS WAF's smallest rate-based limit (requests per evaluation window). */
export const MIN_WAF_RATE_LIMIT = 10;

/** CloudWatch Logs' retention periods; "never expire" is left out: the policy pack requires a retention. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Reads a plain (non-secret) value by its short key, e.g. `identity`; `undefined` when unset. */
export type ConfigReader = (key: string) => string | undefined;

/**
 * Validates the stack configuration; throws `ConfigError` naming the first bad key.
 *
 * @example
 * const config = parseStackConfig((key) => new pulumi.Config().get(key));
 */
export function parseStackConfig(read: ConfigReader): StackConfig {
  const field = fieldReader(read);
  const identityKind = field.oneOf('identity', ['builtin', 'oidc'], 'builtin');
  const identity: IdentitySource =
    identityKind === 'builtin'
      ? { kind: 'builtin', audience: field.text('audience', 'scopegate') }
      : {
          kind: 'oidc',
          issuer: field.httpsUrl('oidcIssuer'),
          audience: field.text('oidcAudience'),
          jwksUri: field.httpsUrl('oidcJwksUri'),
          rolesClaim: field.text('oidcRolesClaim', 'scope'),
          algorithms: field.list(
            'oidcAlgorithms',
            ['RS256'],
            (value) => ASYMMETRIC_ALGORITHMS.includes(value),
            ASYMMETRIC_ALGORITHMS,
          ),
        };
  const accessTokenTtl = field.integer('accessTokenTtl', 900, 60, 86_400);
  return {
    scopesFile: field.text('scopesFile', 'scopes.yaml'),
    identity,
    identityProviders: field.identityProviders('identityProviders'),
    authorizerCacheTtl: field.integer('authorizerCacheTtl', 300, 0, MAX_AUTHORIZER_TTL_SECONDS),
    accessTokenTtl,
    refreshIdleTtl: field.integer('refreshIdleTtl', 1_209_600, accessTokenTtl, 31_536_000),
    refreshAbsoluteTtl: field.integer('refreshAbsoluteTtl', 2_592_000, accessTokenTtl, 31_536_000),
    defaultRoles: field.list(
      'defaultRoles',
      ['User'],
      (role) => /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(role),
      ['User'],
    ),
    corsOrigins: field.list('corsOrigins', ['*'], isOrigin, ['*', 'https://app.example.com']),
    logRetentionDays: field.oneOfNumbers('logRetentionDays', LOG_RETENTION_DAYS, 30),
    throttleRateLimit: field.integer('throttleRateLimit', 50, 1, 10_000),
    throttleBurstLimit: field.integer('throttleBurstLimit', 100, 1, 5_000),
    // At most 32 characters: the authorizer's 8 KB result budget is computed for ARNs with such a stage.
    stageName: field.matching('stageName', /^[A-Za-z0-9_]{1,32}$/, 'v1', 'at most 32 letters, digits or _'),
    tableDeletionProtection: field.boolean('tableDeletionProtection', true),
    // Account-wide: exactly one stack per account and region sets it (README, "Running in production").
    manageApiGatewayAccount: field.boolean('manageApiGatewayAccount', false),
    ...productionOptions(field),
  };
}

type FieldReader = ReturnType<typeof fieldReader>;

const ARN = (service: string, resource: string): RegExp =>
  new RegExp(`^arn:aws(-cn|-us-gov)?:${service}:[a-z0-9-]+:\\d{12}:${resource}$`);

function productionOptions(
  field: FieldReader,
): Pick<StackConfig, 'domain' | 'alarms' | 'dashboard' | 'tracing' | 'wafAuthRateLimit'> {
  const domainName = field.optional(
    'domainName',
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a lower-case DNS name such as api.example.com',
  );
  const certificateArn = field.optional(
    'domainCertificateArn',
    ARN('acm', 'certificate/[A-Za-z0-9-]+'),
    'an ACM certificate ARN',
  );
  const hostedZoneId = field.optional(
    'domainHostedZoneId',
    /^Z[A-Z0-9]{1,32}$/,
    'a Route 53 hosted zone id such as Z0123456789ABC',
  );
  if (domainName === undefined) {
    if (certificateArn !== undefined) field.fail('domainCertificateArn', 'is set but domainName is not');
    if (hostedZoneId !== undefined) field.fail('domainHostedZoneId', 'is set but domainName is not');
  }
  const topicArn = field.optional('alarmTopicArn', ARN('sns', '[A-Za-z0-9_-]{1,256}'), 'an SNS topic ARN');
  const email = field.optional('alarmEmail', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address');
  if (topicArn !== undefined && email !== undefined) {
    field.fail('alarmEmail', 'is set as well as alarmTopicArn. Expected one of them');
  }
  const wafAuthRateLimit = field.integer('wafAuthRateLimit', 0, 0, 2_000_000_000);
  if (wafAuthRateLimit > 0 && wafAuthRateLimit < MIN_WAF_RATE_LIMIT) {
    field.fail(
      'wafAuthRateLimit',
      `"${wafAuthRateLimit}" is not allowed. Expected 0 (no web ACL) or an integer ${MIN_WAF_RATE_LIMIT}..2000000000`,
    );
  }
  return {
    domain:
      domainName === undefined
        ? undefined
        : {
            name: domainName,
            certificateArn:
              certificateArn ??
              field.fail(
                'domainCertificateArn',
                'is required with domainName. Expected an ACM certificate ARN',
              ),
            hostedZoneId,
          },
    alarms: topicArn !== undefined ? { topicArn } : email !== undefined ? { email } : undefined,
    dashboard: field.boolean('dashboard', false),
    tracing: field.boolean('tracing', false),
    wafAuthRateLimit,
  };
}

function isOrigin(value: string): boolean {
  return value === '*' || /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value);
}

function fieldReader(read: ConfigReader) {
  const fail = (key: string, problem: string): never => {
    throw new ConfigError(`${NAMESPACE}:${key}: ${problem}`);
  };
  const raw = (key: string): string | undefined => {
    const value = read(key)?.trim();
    return value === '' ? undefined : value;
  };
  const text = (key: string, fallback?: string): string =>
    raw(key) ?? fallback ?? fail(key, 'is required. Set it with `pulumi config set ' + key + ' <value>`');
  return {
    fail,
    text,
    /** An optional value; when set it must match `pattern`. */
    optional(key: string, pattern: RegExp, expected: string): string | undefined {
      const value = raw(key);
      if (value === undefined) return undefined;
      return pattern.test(value) ? value : fail(key, `"${value}" is not allowed. Expected ${expected}`);
    },
    matching(key: string, pattern: RegExp, fallback: string, expected: string): string {
      const value = text(key, fallback);
      return pattern.test(value) ? value : fail(key, `"${value}" is not allowed. Expected ${expected}`);
    },
    httpsUrl(key: string): string {
      const value = text(key);
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      return url?.protocol === 'https:' ? value : fail(key, `"${value}" is not an https URL`);
    },
    oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
      const value = raw(key) ?? fallback;
      return (allowed as readonly string[]).includes(value)
        ? (value as T)
        : fail(key, `"${value}" is not allowed. Expected one of: ${allowed.join(', ')}`);
    },
    integer(key: string, fallback: number, min: number, max: number): number {
      const value = raw(key);
      if (value === undefined) return fallback;
      const number = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
      return Number.isSafeInteger(number) && number >= min && number <= max
        ? number
        : fail(key, `"${value}" is not allowed. Expected an integer ${min}..${max}`);
    },
    oneOfNumbers(key: string, allowed: readonly number[], fallback: number): number {
      const value = raw(key);
      if (value === undefined) return fallback;
      const number = Number(value);
      return /^\d+$/.test(value) && allowed.includes(number)
        ? number
        : fail(key, `"${value}" is not allowed. Expected one of: ${allowed.join(', ')}`);
    },
    /** A JSON list of provider objects, given as one string (`pulumi config set identityProviders '[...]'`). */
    identityProviders(key: string): IssuerConfig[] {
      const value = raw(key);
      if (value === undefined) return [];
      try {
        return parseIdentityProviders(value, key);
      } catch (error) {
        // The message already starts with the key and the setting: identityProviders[0].clientIds: ...
        throw new ConfigError(`${NAMESPACE}:${(error as Error).message}`);
      }
    },
    boolean(key: string, fallback: boolean): boolean {
      const value = raw(key);
      if (value === undefined) return fallback;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail(key, `"${value}" is not allowed. Expected true or false`);
    },
    /** A JSON array of strings (what `pulumi config set --path 'key[0]'` stores) or a comma-separated list. */
    list(
      key: string,
      fallback: string[],
      valid: (value: string) => boolean,
      examples: readonly string[],
    ): string[] {
      const value = raw(key);
      if (value === undefined) return fallback;
      let items: unknown;
      try {
        items = value.startsWith('[') ? JSON.parse(value) : value.split(',').map((item) => item.trim());
      } catch {
        return fail(key, 'is not a JSON array of strings');
      }
      if (!Array.isArray(items) || items.length === 0 || !items.every((item) => typeof item === 'string')) {
        return fail(key, 'is not a non-empty list of strings');
      }
      const bad = items.find((item) => !valid(item));
      return bad === undefined
        ? items
        : fail(key, `"${bad}" is not allowed. Expected values like: ${examples.join(', ')}`);
    },
  };
}
