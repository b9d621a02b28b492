// What every endpoint of the token service needs: settings resolved once, the table, keys, hasher, clock, logger.
import type { AccessTokenVerifier, TokenSettings } from './access-tokens';
import type { Db } from './db';
import type { LoginThrottlePolicy } from './login-throttle';
import type { PasswordHasher } from './passwords';
import type { RoleCatalog } from './scopes';
import type { SigningKeys } from './signing-keys';
import type { WorkLimit } from './work-limit';

/** The subset of a structured logger the service uses (Powertools' Logger fits). Never given secrets. */
export interface AuthLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface ServiceContext {
  db: Db;
  settings: TokenSettings;
  /** Public base URL of the endpoints (metadata); defaults to the issuer. */
  baseUrl: string;
  keys: SigningKeys;
  verifyAccessToken: AccessTokenVerifier;
  hasher: PasswordHasher;
  /** Every password hash of a request runs inside it. */
  passwordWork: WorkLimit;
  catalog: RoleCatalog;
  defaultRoles: string[];
  refreshIdleTtl: number;
  refreshAbsoluteTtl: number;
  loginThrottle: LoginThrottlePolicy;
  minPasswordLength: number;
  bodyLimit: number;
  /** Epoch seconds. */
  now(): number;
  logger: AuthLogger;
}
