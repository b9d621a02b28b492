// The token service's configuration from the Lambda environment (everything except the signing keys).
import type { CompiledModel } from '../../policies/model';
import type { TokenServiceOptions } from './token-service';

export type EnvConfig = Pick<
  TokenServiceOptions,
  | 'tableName'
  | 'issuer'
  | 'audience'
  | 'baseUrl'
  | 'roles'
  | 'roleInherits'
  | 'defaultRoles'
  | 'accessTokenTtl'
  | 'refreshIdleTtl'
  | 'refreshAbsoluteTtl'
  | 'corsOrigins'
> & {
  /** The Secrets Manager secret (name or ARN) holding the private signing keys. */
  signingKeysSecret: string;
};

type Env = Readonly<Record<string, string | undefined>>;

function need(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is required`);
  return value.trim();
}

function seconds(env: Env, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value))
    throw new Error(`environment variable ${name} must be a number of seconds, got "${value}"`);
  return Number(value);
}

const words = (value: string | undefined): string[] | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim().split(/\s+/);

/**
 * Reads `SCOPEGATE_TABLE`, `SCOPEGATE_ISSUER`, `SCOPEGATE_AUDIENCE`, `SCOPEGATE_SIGNING_KEYS_SECRET` (required),
 * `SCOPEGATE_BASE_URL`, `SCOPEGATE_DEFAULT_ROLES` (space-separated), `SCOPEGATE_ACCESS_TOKEN_TTL`,
 * `SCOPEGATE_REFRESH_IDLE_TTL`, `SCOPEGATE_REFRESH_ABSOLUTE_TTL` (seconds), `SCOPEGATE_CORS_ORIGINS` (comma-separated). Roles come from the compiled model,
 * or from `SCOPEGATE_ROLES` (space-separated) when the bundle carries none.
 */
export function readEnvConfig(env: Env, model?: CompiledModel): EnvConfig {
  const roles = model ? model.roles.map((role) => role.name) : words(env.SCOPEGATE_ROLES);
  if (!roles || roles.length === 0)
    throw new Error('no roles: bundle the scope model or set SCOPEGATE_ROLES');
  const roleInherits = model
    ? Object.fromEntries(model.roles.map((role) => [role.name, role.inherits]))
    : undefined;
  return {
    tableName: need(env, 'SCOPEGATE_TABLE'),
    issuer: need(env, 'SCOPEGATE_ISSUER'),
    audience: need(env, 'SCOPEGATE_AUDIENCE'),
    baseUrl: env.SCOPEGATE_BASE_URL === '' ? undefined : env.SCOPEGATE_BASE_URL,
    signingKeysSecret: need(env, 'SCOPEGATE_SIGNING_KEYS_SECRET'),
    roles,
    roleInherits,
    defaultRoles: words(env.SCOPEGATE_DEFAULT_ROLES),
    accessTokenTtl: seconds(env, 'SCOPEGATE_ACCESS_TOKEN_TTL'),
    refreshIdleTtl: seconds(env, 'SCOPEGATE_REFRESH_IDLE_TTL'),
    refreshAbsoluteTtl: seconds(env, 'SCOPEGATE_REFRESH_ABSOLUTE_TTL'),
    corsOrigins: (env.SCOPEGATE_CORS_ORIGINS ?? '').split(',').filter((origin) => origin !== ''),
  };
}
