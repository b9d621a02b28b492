// What a kind of identity provider adds to the generic JWT checks: its issuer shape, key location, token rules.
import type { JWTHeaderParameters, JWTPayload } from 'jose';

export const PROVIDER_KINDS = ['cognito', 'auth0', 'okta', 'entra', 'keycloak', 'oidc'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The settings of one trusted provider that a provider kind's rules read. */
export interface ProviderSettings {
  issuer: string;
  audience?: string | string[];
  clientIds?: readonly string[];
}

/** A reason code for the decision log when a verified token is still not an access token for this API. */
export type TokenRefusal = 'NOT_AN_ACCESS_TOKEN' | 'CLIENT_NOT_ALLOWED' | 'UNSUPPORTED_TOKEN_VERSION';

/**
 * One kind of provider, documented rules only. `accessTokenRefusal` runs after jose has checked the signature,
 * `iss`, `exp`/`nbf`, the algorithm and (when `checksAudience`) `aud`.
 */
export interface ProviderRules {
  kind: ProviderKind;
  /** What a valid issuer of this kind looks like, for the error message. */
  issuerShape: string;
  /** Whether `issuer` (as configured, and parsed as `url`) has this kind's documented shape. */
  isIssuer(url: URL, issuer: string): boolean;
  /** Claims naming the client a token was issued to, first found wins (`clientIds`, the `clientId` context). */
  clientClaims: readonly string[];
  /** False when the kind's access tokens carry no `aud` (Cognito): then `clientIds` is required instead. */
  checksAudience: boolean;
  /** The provider's documented JWKS location, or undefined when there is none to derive (`jwksUri` required). */
  defaultJwksUri(issuer: string): string | undefined;
  /** Claims the roles come from unless `rolesClaims` is configured. */
  defaultRolesClaims: readonly string[];
  /** Why this verified token is not an access token of this provider for this API; undefined when it is. */
  accessTokenRefusal(
    payload: JWTPayload,
    header: JWTHeaderParameters,
    settings: ProviderSettings,
  ): TokenRefusal | undefined;
}

/** The client a token was issued to, from the first of `claims` holding a string. */
export function clientOf(payload: JWTPayload, claims: readonly string[]): string | undefined {
  for (const claim of claims) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** With `clientIds` configured, the token's client must be one of them. */
export function clientRefusal(
  client: string | undefined,
  settings: ProviderSettings,
): TokenRefusal | undefined {
  if (settings.clientIds === undefined) return undefined;
  return client !== undefined && settings.clientIds.includes(client) ? undefined : 'CLIENT_NOT_ALLOWED';
}

/** The issuer's URL path without a trailing slash. */
export function pathOf(issuer: URL): string {
  return issuer.pathname.replace(/\/$/, '');
}
