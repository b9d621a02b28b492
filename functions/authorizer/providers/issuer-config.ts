// The configuration of one trusted issuer, as written and as resolved with its kind's defaults.
import type { JSONWebKeySet } from 'jose';
import type { ProviderKind, ProviderRules } from './provider';

/**
 * One trusted token issuer, as configured (`identityProviders`, `IDENTITY_PROVIDERS`, or the built-in token
 * service). Only `issuer` is always required; the rest depends on `kind` (default `oidc`).
 */
export interface IssuerConfig {
  kind?: ProviderKind;
  /** Exactly the tokens' `iss`. */
  issuer: string;
  /** The API's audience: `aud` must contain one of these (every kind but `cognito`). */
  audience?: string | string[];
  /** Allowed clients (`client_id`, `azp` or `cid`, per kind); required for `cognito`. */
  clientIds?: string[];
  /** The provider's JWKS (https, or http on loopback); defaults to the kind's documented location. */
  jwksUri?: string;
  /** Public keys given inline: nothing is fetched. */
  jwks?: JSONWebKeySet;
  /** Accepted signature algorithms (asymmetric only); default `['RS256']`. */
  algorithms?: string[];
  /** Claims holding roles, united; a dotted path reaches a nested claim. Defaults per kind. */
  rolesClaims?: string[];
  /** Provider value -> scopes.yaml role, for names that differ. */
  roleMap?: Record<string, string>;
  /** Required `typ` header, e.g. `at+jwt` (RFC 9068). */
  typ?: string;
  /** Look up revocation, session and user state in the table: the built-in token service only. */
  checkState?: boolean;
}

/** An issuer with its kind's defaults applied and its rules attached. */
export interface TrustedIssuer {
  kind: ProviderKind;
  issuer: string;
  audience: string[] | undefined;
  clientIds: string[] | undefined;
  jwksUri: string | undefined;
  jwks: JSONWebKeySet | undefined;
  algorithms: string[];
  rolesClaims: string[];
  roleMap: ReadonlyMap<string, string> | undefined;
  typ: string | undefined;
  checkState: boolean;
  rules: ProviderRules;
}
