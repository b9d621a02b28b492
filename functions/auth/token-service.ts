// The token service: options resolved once, and the routing of its five public endpoints to their handlers.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { JWK } from 'jose';
import { createAccessTokenVerifier } from './access-tokens';
import type { AuthLogger, ServiceContext } from './context';
import { jwks, metadata } from './discovery';
import { DEFAULT_BODY_LIMIT } from './form';
import type { LoginThrottlePolicy } from './login-throttle';
import { DEFAULT_LOGIN_THROTTLE } from './login-throttle';
import { errorResponse, jsonResponse, NO_STORE, OAuthError } from './oauth-errors';
import type { ScryptParams } from './passwords';
import { createPasswordHasher, OWASP_SCRYPT } from './passwords';
import { revokeToken } from './revoke';
import { createRoleCatalog } from './scopes';
import { importSigningKeys } from './signing-keys';
import { signUp } from './signup';
import { issueToken } from './token-endpoint';
import { BusyError, createWorkLimit } from './work-limit';

export interface TokenServiceOptions {
  tableName: string;
  documents: DynamoDBDocumentClient;
  /** `iss` of every token, e.g. `https://api.example.com/prod`. */
  issuer: string;
  /** `aud` of every token. */
  audience: string;
  /** Public base URL of the endpoints in the metadata document; defaults to the issuer. */
  baseUrl?: string;
  /** Private JWKs (Ed25519 or P-256, each with a kid): the first signs, all are published. */
  signingKeys: readonly JWK[];
  /** Role names of the compiled scope model: the only scopes ever granted. */
  roles: readonly string[];
  /** Role -> roles it inherits, so a holder of `Admin` may ask for just `User`. */
  roleInherits?: Readonly<Record<string, readonly string[]>>;
  /** Roles of a new user; default `['User']`. */
  defaultRoles?: readonly string[];
  /** Seconds; default 900. */
  accessTokenTtl?: number;
  /** Seconds a refresh family may sit unused; default 14 days. */
  refreshIdleTtl?: number;
  /** Seconds a refresh family lives at most; default 30 days. */
  refreshAbsoluteTtl?: number;
  /** Password-guessing limits; default DEFAULT_LOGIN_THROTTLE. */
  loginThrottle?: Partial<LoginThrottlePolicy>;
  /** Password hashes computed at once (default 2) and waiting (default 8); beyond, requests get 503. */
  passwordConcurrency?: number;
  passwordQueue?: number;
  /** Default 12. */
  minPasswordLength?: number;
  /** Bytes; default 8 KiB. */
  bodyLimit?: number;
  /** scrypt cost; tests only (the default is OWASP's). */
  passwordParams?: ScryptParams;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
  logger?: AuthLogger;
}

export interface TokenService {
  handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
  /** Resolves once the signing keys are imported; rejects when they are unusable. */
  ready(): Promise<void>;
}

type Endpoint = (context: ServiceContext, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const ROUTES: Record<string, Record<string, Endpoint>> = {
  '/auth/signup': { POST: signUp },
  '/auth/token': { POST: issueToken },
  '/auth/revoke': { POST: revokeToken },
  '/.well-known/jwks.json': { GET: (context) => Promise.resolve(jwks(context)) },
  '/.well-known/oauth-authorization-server': { GET: (context) => Promise.resolve(metadata(context)) },
};

/** Every `METHOD /path` the service answers (what `npm run scopes -- check` compares with scopes.yaml). */
export const AUTH_ROUTES: readonly string[] = Object.entries(ROUTES).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method} ${path}`),
);

const SILENT: AuthLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function positive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${result}`);
  return result;
}

function throttlePolicy(overrides: Partial<LoginThrottlePolicy> = {}): LoginThrottlePolicy {
  const policy = { ...DEFAULT_LOGIN_THROTTLE, ...overrides };
  for (const [name, value] of Object.entries(policy)) positive(`loginThrottle.${name}`, value, 1);
  return policy;
}

/**
 * Builds the service once per process (keys imported once, never per request).
 * @example const service = createTokenService({ tableName, documents, issuer, audience, signingKeys, roles });
 *          const response = await service.handle(event);
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const catalog = createRoleCatalog(options.roles, options.roleInherits);
  const defaultRoles = [...(options.defaultRoles ?? ['User'])];
  const missing = defaultRoles.filter((role) => !catalog.names.includes(role));
  if (missing.length > 0) {
    throw new TypeError(
      `default role "${missing.join(', ')}" is not a role of the scope model. Expected one of: ${catalog.names.join(', ')}`,
    );
  }
  const settings = {
    issuer: options.issuer,
    audience: options.audience,
    ttl: positive('accessTokenTtl', options.accessTokenTtl, 900),
  };
  const clock = options.now ?? Date.now;
  const logger = options.logger ?? SILENT;
  const partial = {
    db: { documents: options.documents, tableName: options.tableName },
    settings,
    baseUrl: options.baseUrl ?? options.issuer,
    hasher: createPasswordHasher(options.passwordParams ?? OWASP_SCRYPT),
    catalog,
    defaultRoles,
    refreshIdleTtl: positive('refreshIdleTtl', options.refreshIdleTtl, 14 * 24 * 3600),
    refreshAbsoluteTtl: positive('refreshAbsoluteTtl', options.refreshAbsoluteTtl, 30 * 24 * 3600),
    passwordWork: createWorkLimit(
      positive('passwordConcurrency', options.passwordConcurrency, 2),
      positive('passwordQueue', options.passwordQueue, 8),
    ),
    loginThrottle: throttlePolicy(options.loginThrottle),
    minPasswordLength: positive('minPasswordLength', options.minPasswordLength, 12),
    bodyLimit: positive('bodyLimit', options.bodyLimit, DEFAULT_BODY_LIMIT),
    now: () => Math.floor(clock() / 1000),
    logger,
  };
  const context: Promise<ServiceContext> = importSigningKeys(options.signingKeys).then((keys) => ({
    ...partial,
    keys,
    verifyAccessToken: createAccessTokenVerifier(keys, settings),
  }));
  // Surfaced by ready() and by every request; never an unhandled rejection.
  context.catch(() => undefined);

  async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const path = event.resource in ROUTES ? event.resource : event.path;
    const methods = ROUTES[path];
    if (!methods) {
      return jsonResponse(404, { error: 'not_found', error_description: 'no such endpoint' }, {});
    }
    const endpoint = methods[event.httpMethod];
    if (!endpoint) {
      return jsonResponse(
        405,
        { error: 'method_not_allowed', error_description: `${event.httpMethod} is not allowed here` },
        { ...NO_STORE, Allow: Object.keys(methods).join(', ') },
      );
    }
    try {
      return await endpoint(await context, event);
    } catch (error) {
      if (error instanceof OAuthError) {
        logger.info('request refused', { path, error: error.code });
        return errorResponse(error);
      }
      if (error instanceof BusyError) {
        logger.warn('request shed: password hashing queue full', { path });
        return errorResponse(
          new OAuthError('temporarily_unavailable', 'the service is busy; retry later', 503, {
            'Retry-After': String(error.retryAfterSeconds),
          }),
        );
      }
      // Only the error's class and the SDK's own message: never the request, which holds credentials.
      const sdk = typeof error === 'object' && error !== null && '$metadata' in error;
      logger.error('token service failure', {
        path,
        errorName: error instanceof Error ? error.name : typeof error,
        ...(sdk && error instanceof Error ? { errorMessage: error.message } : {}),
      });
      return errorResponse(new OAuthError('server_error', 'the request could not be completed', 500));
    }
  }

  return { handle, ready: () => context.then(() => undefined) };
}
