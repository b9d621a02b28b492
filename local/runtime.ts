// The real handlers of one compiled model: authorizer, token service and sample API, wired for loopback.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JWK } from 'jose';
import type { ScryptParams } from '../functions/auth/passwords';
import { createTokenService } from '../functions/auth/token-service';
import { createAuthorizer, type IssuerConfig } from '../functions/authorizer/authorizer';
import { createMessagesHandler } from '../functions/messages/handler';
import { createMessageStore } from '../functions/messages/message-store';
import { createUsersHandler } from '../functions/users/handler';
import { createRoleGuard, rolesThatManageRoles } from '../functions/users/role-guard';
import { createUserStore } from '../functions/users/user-store';
import type { CompiledModel } from '../policies/model';
import type { GatewayRuntime, LocalHandler } from './gateway';

/** Functions with a local implementation; a route naming another one is a scopes.yaml error locally. */
export const LOCAL_FUNCTIONS = ['auth', 'messages', 'users'] as const;

/** The audience of locally issued tokens. */
export const LOCAL_AUDIENCE = 'scopegate';

export type IdentityMode =
  | { mode: 'builtin' }
  | {
      mode: 'oidc';
      issuer: string;
      audience: string | string[];
      jwksUri: string;
      algorithms?: string[];
      rolesClaim?: string;
    };

export interface RuntimeOptions {
  model: CompiledModel;
  identity: IdentityMode;
  /** More trusted providers (`IDENTITY_PROVIDERS`), beside the identity mode's issuer. */
  identityProviders?: readonly IssuerConfig[];
  /** The gateway's URL: the built-in issuer and the token service's base URL. */
  url: string;
  tableName: string;
  documents: DynamoDBDocumentClient;
  /** Private JWKs of the token service. */
  signingKeys: readonly JWK[];
  now: () => number;
  corsOrigins: readonly string[];
  passwordParams?: ScryptParams;
}

const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The public half of a private JWK (what the JWKS endpoint publishes). */
function publicJwk(jwk: JWK): JWK {
  const { kty, crv, x, y, kid, alg, use } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, kid, alg, use }).filter(([, v]) => v !== undefined),
  );
}

/** The issuers the authorizer trusts: the identity mode's, then every provider of `identityProviders`. */
export function issuersFor(
  options: Pick<RuntimeOptions, 'identity' | 'identityProviders' | 'url' | 'signingKeys'>,
): IssuerConfig[] {
  return [...identityIssuers(options), ...(options.identityProviders ?? [])];
}

/** The local token service's keys (no fetch) or the OIDC provider's JWKS. */
function identityIssuers(options: Pick<RuntimeOptions, 'identity' | 'url' | 'signingKeys'>): IssuerConfig[] {
  const { identity } = options;
  if (identity.mode === 'oidc') {
    return [
      {
        kind: 'oidc',
        issuer: identity.issuer,
        audience: identity.audience,
        jwksUri: identity.jwksUri,
        algorithms: identity.algorithms ?? ['RS256'],
        rolesClaims: [identity.rolesClaim ?? 'scope'],
      },
    ];
  }
  return [
    {
      issuer: options.url,
      audience: LOCAL_AUDIENCE,
      // Access-token keys only: the RSA key signs ID tokens, which are never bearer tokens.
      jwks: { keys: options.signingKeys.filter((key) => key.kty !== 'RSA').map(publicJwk) },
      algorithms: ['EdDSA', 'ES256'],
      checkState: true,
      typ: 'at+jwt',
    },
  ];
}

/** Builds every handler for `model`; throws when the model cannot be served (e.g. no `User` role for sign-up). */
export function buildRuntime(options: RuntimeOptions): GatewayRuntime {
  const { model, tableName, documents, now } = options;
  const authorizer = createAuthorizer({
    model,
    issuers: issuersFor(options),
    tableName,
    documents,
    now,
    // The gateway writes one line per request; the authorizer's own decision lines would double it.
    logger: { info: () => undefined, error: () => undefined },
  });
  const auth = createTokenService({
    tableName,
    documents,
    issuer: options.url,
    audience: LOCAL_AUDIENCE,
    signingKeys: options.signingKeys,
    roles: model.roles.map((role) => role.name),
    roleInherits: Object.fromEntries(model.roles.map((role) => [role.name, role.inherits])),
    now,
    logger: SILENT,
    corsOrigins: options.corsOrigins,
    ...(options.passwordParams === undefined ? {} : { passwordParams: options.passwordParams }),
  });
  const { corsOrigins } = options;
  const messages = createMessagesHandler({
    store: createMessageStore(documents, tableName, now),
    corsOrigins,
  });
  const users = createUsersHandler({
    store: createUserStore(documents, tableName),
    knownRoles: model.roles.map((role) => role.name),
    corsOrigins,
    roleGuard: createRoleGuard(documents, tableName, rolesThatManageRoles(model), now),
  });
  const handlers = new Map<string, LocalHandler>([
    ['auth', auth],
    ['messages', messages],
    ['users', users],
  ]);
  return { model, authorizer, handlers };
}
