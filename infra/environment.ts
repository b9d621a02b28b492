// What each function finds in its environment: names and ARNs only, never a secret value.
import * as pulumi from '@pulumi/pulumi';
import type { CompiledModel } from '../policies/model';
import { ConfigError, NAMESPACE, type StackConfig } from './config';
import type { PublicJwk } from './signing-key';

/** The built-in token service's folder: the only function that reads the signing keys. */
export const TOKEN_SERVICE = 'auth';

/** Algorithms the built-in token service signs with (see functions/auth/signing-keys.ts). */
const BUILTIN_ALGORITHMS = ['EdDSA', 'ES256'];

export type Environment = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** What the built-in token service needs beyond the defaults; each problem names its key. */
export function checkTokenServiceConfig(config: StackConfig, model: CompiledModel, deployed: boolean): void {
  if (!deployed) return;
  if (config.identity.kind === 'oidc') {
    throw new ConfigError(
      `${NAMESPACE}:identity: "oidc" but ${config.scopesFile} routes requests to the built-in token service ` +
        `(function "${TOKEN_SERVICE}"). Remove those routes or use identity "builtin"`,
    );
  }
  const roles = model.roles.map((role) => role.name);
  const undeclared = config.defaultRoles.find((role) => !roles.includes(role));
  if (undeclared !== undefined) {
    throw new ConfigError(
      `${NAMESPACE}:defaultRoles: role "${undeclared}" is not declared in ${config.scopesFile}. Expected one of: ${roles.join(', ')}`,
    );
  }
}

export interface EnvironmentInputs {
  config: StackConfig;
  model: CompiledModel;
  tableName: pulumi.Input<string>;
  issuer: pulumi.Input<string>;
  /** The signing-key secret's ARN, for the token service only. */
  secretArn?: pulumi.Input<string>;
}

/** The environment of a route function: the table and CORS origins for all, more for the token service. */
export function functionEnvironment(
  fn: string,
  inputs: EnvironmentInputs,
): Record<string, pulumi.Input<string>> {
  const { config } = inputs;
  const environment: Record<string, pulumi.Input<string>> = {
    SCOPEGATE_TABLE: inputs.tableName,
    SCOPEGATE_CORS_ORIGINS: config.corsOrigins.join(','),
    SCOPEGATE_ROLES: inputs.model.roles.map((role) => role.name).join(' '),
    POWERTOOLS_SERVICE_NAME: fn,
  };
  if (fn === TOKEN_SERVICE) {
    Object.assign(environment, {
      SCOPEGATE_ISSUER: inputs.issuer,
      SCOPEGATE_AUDIENCE: config.identity.audience,
      SCOPEGATE_DEFAULT_ROLES: config.defaultRoles.join(' '),
      SCOPEGATE_ACCESS_TOKEN_TTL: String(config.accessTokenTtl),
      SCOPEGATE_REFRESH_IDLE_TTL: String(config.refreshIdleTtl),
      SCOPEGATE_REFRESH_ABSOLUTE_TTL: String(config.refreshAbsoluteTtl),
      // The secret's ARN only; the function reads the value from Secrets Manager at start-up.
      ...(inputs.secretArn === undefined ? {} : { SCOPEGATE_SIGNING_KEYS_SECRET: inputs.secretArn }),
    });
  }
  return environment;
}

/**
 * `SCOPEGATE_ISSUERS` for the authorizer: the built-in token service (public keys inline, so no JWKS fetch at
 * cold start, state checked in the table) or the configured OIDC provider (keys fetched from its JWKS URL),
 * then every provider of `identityProviders`.
 */
export function authorizerIssuers(
  config: StackConfig,
  issuer: pulumi.Input<string>,
  jwks: pulumi.Input<{ keys: PublicJwk[] }> | undefined,
): pulumi.Output<string> {
  const { identity, identityProviders } = config;
  if (identity.kind === 'oidc') {
    return pulumi.output(
      JSON.stringify([
        {
          kind: 'oidc',
          issuer: identity.issuer,
          audience: identity.audience,
          jwksUri: identity.jwksUri,
          algorithms: identity.algorithms,
          rolesClaims: [identity.rolesClaim],
          checkState: false,
        },
        ...identityProviders,
      ]),
    );
  }
  return pulumi.all([issuer, jwks]).apply(([iss, keys]) =>
    JSON.stringify([
      // Without the token service (no keys), nothing issues built-in tokens when other providers are trusted.
      ...(keys === undefined && identityProviders.length > 0
        ? []
        : [builtinIssuer(identity.audience, iss, keys)]),
      ...identityProviders,
    ]),
  );
}

function builtinIssuer(audience: string, iss: string, keys: { keys: PublicJwk[] } | undefined) {
  return {
    issuer: iss,
    audience,
    ...(keys === undefined ? { jwksUri: `${iss}/.well-known/jwks.json` } : { jwks: keys }),
    algorithms: BUILTIN_ALGORITHMS,
    rolesClaims: ['scope'],
    checkState: true,
    typ: 'at+jwt',
  };
}
