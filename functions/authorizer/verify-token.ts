// Verifies a JWT with jose against the trusted issuer it names: signature, algorithm allow-list, iss, aud, exp/nbf, typ.
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { DependencyError } from './errors';
import { ASYMMETRIC_ALGORITHMS } from './algorithms';

/** One trusted token issuer: the product's token service or an OpenID Connect provider. */
export interface IssuerConfig {
  issuer: string;
  audience: string | string[];
  /** The provider's JWKS endpoint (https, or http on loopback). Exactly one of `jwksUri` and `jwks`. */
  jwksUri?: string;
  /** Public keys given inline. */
  jwks?: JSONWebKeySet;
  /** Explicit allow-list of asymmetric JWS algorithms, e.g. `['EdDSA', 'ES256']`. */
  algorithms: string[];
  /** Claim holding the roles: a space-separated string (`scope`, the default) or an array (`cognito:groups`). */
  rolesClaim?: string;
  /** Look up revocation, session and user state in the table (the product's own tokens). Default false. */
  checkState?: boolean;
  /** Required `typ` header, e.g. `at+jwt`. */
  typ?: string;
}

/** A verified payload: `sub` and `exp` are guaranteed. */
export type VerifiedPayload = JWTPayload & { sub: string; exp: number };

export type Verification =
  { ok: true; payload: VerifiedPayload; issuer: IssuerConfig } | { ok: false; code: string };

export interface VerifierOptions {
  /** Epoch milliseconds. */
  now: () => number;
  /** Timeout of one JWKS fetch, ms (default 1500: the authorizer must answer well within API Gateway's 10 s). */
  jwksTimeoutMs?: number;
  /** Minimum time between two refetches triggered by an unknown `kid`, ms (default 30 s). */
  jwksCooldownMs?: number;
}

/** Leeway for `exp`, `nbf` and `iat` between our clock and the issuer's. */
export const CLOCK_TOLERANCE_SECONDS = 5;

const ACCEPTED_ALGORITHMS = new Set(ASYMMETRIC_ALGORITHMS);

/** Refuses a configuration that could ever accept an unsigned or HMAC-signed token. */
export function validateIssuers(issuers: readonly IssuerConfig[]): void {
  if (issuers.length === 0) throw new TypeError('At least one issuer must be trusted');
  const seen = new Set<string>();
  for (const config of issuers) {
    const name = config.issuer;
    if (typeof name !== 'string' || name === '')
      throw new TypeError('Issuer "issuer" must be a non-empty string');
    if (seen.has(name)) throw new TypeError(`Issuer "${name}" is configured twice`);
    seen.add(name);
    const audiences = Array.isArray(config.audience) ? config.audience : [config.audience];
    if (
      audiences.length === 0 ||
      audiences.some((audience) => typeof audience !== 'string' || audience === '')
    ) {
      throw new TypeError(`Issuer "${name}": "audience" must be a non-empty string or list of strings`);
    }
    if (!Array.isArray(config.algorithms) || config.algorithms.length === 0) {
      throw new TypeError(`Issuer "${name}": "algorithms" must list at least one algorithm`);
    }
    for (const alg of config.algorithms) {
      if (!ACCEPTED_ALGORITHMS.has(alg)) {
        throw new TypeError(
          `Issuer "${name}": algorithm "${alg}" is not allowed. Expected one of: ${[...ASYMMETRIC_ALGORITHMS].join(', ')}`,
        );
      }
    }
    if ((config.jwks === undefined) === (config.jwksUri === undefined)) {
      throw new TypeError(`Issuer "${name}": exactly one of "jwks" and "jwksUri" must be set`);
    }
    if (config.jwksUri !== undefined && !isTrustedJwksUrl(config.jwksUri)) {
      throw new TypeError(
        `Issuer "${name}": "jwksUri" must be https (or http on loopback): ${config.jwksUri}`,
      );
    }
  }
}

function isTrustedJwksUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Key lookup that reports a JWKS outage as a DependencyError, and an unknown key as a bad token. */
function keySource(config: IssuerConfig, options: VerifierOptions): JWTVerifyGetKey {
  if (config.jwks !== undefined) return createLocalJWKSet(config.jwks);
  const uri = config.jwksUri!;
  const remote = createRemoteJWKSet(new URL(uri), {
    timeoutDuration: options.jwksTimeoutMs ?? 1500,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      // The token's fault: no key with its kid/alg, or several to try (jose iterates those itself).
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
        throw error;
      if (error instanceof errors.JOSENotSupported) throw error;
      throw new DependencyError(`JWKS unavailable: ${uri}`, 'JWKS_UNAVAILABLE', { cause: error });
    }
  };
}

/**
 * Builds a verifier over the trusted issuers. The issuer is chosen by the token's unverified `iss`, then every
 * check runs against that issuer's own keys and rules. `jku`, `x5u` and `jwk` headers are never consulted: keys
 * come only from configuration.
 */
export function createTokenVerifier(issuers: readonly IssuerConfig[], options: VerifierOptions) {
  validateIssuers(issuers);
  const byIssuer = new Map(
    issuers.map((config) => [config.issuer, { config, getKey: keySource(config, options) }] as const),
  );
  // With one issuer there is nothing to choose: jose checks `iss` itself, so skip decoding the payload twice.
  const only = issuers.length === 1 ? byIssuer.get(issuers[0]!.issuer) : undefined;

  return async function verifyToken(token: string): Promise<Verification> {
    try {
      const trusted = only ?? byIssuer.get(unverifiedIssuer(token));
      if (trusted === undefined) return { ok: false, code: 'UNKNOWN_ISSUER' };
      const { config, getKey } = trusted;
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(options.now()),
        ...(config.typ === undefined ? {} : { typ: config.typ }),
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, code: 'INVALID_SUB' };
      if (typeof payload.exp !== 'number') return { ok: false, code: 'INVALID_EXP' };
      return { ok: true, payload: payload as VerifiedPayload, issuer: config };
    } catch (error) {
      if (error instanceof DependencyError) throw error;
      // Every JOSEError is the token's fault (malformed, bad signature, claims, unknown key, crit...).
      if (error instanceof errors.JOSEError) return { ok: false, code: error.code };
      throw error;
    }
  };
}

/** The `iss` of a token's payload, unverified: only used to pick which issuer's keys and rules apply. */
function unverifiedIssuer(token: string): string {
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as unknown;
    const iss = typeof claims === 'object' && claims !== null ? (claims as { iss?: unknown }).iss : undefined;
    return typeof iss === 'string' ? iss : '';
  } catch {
    return '';
  }
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
