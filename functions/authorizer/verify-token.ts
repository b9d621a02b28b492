// Verifies a JWT with jose against the trusted issuer it names, then applies that provider kind's own rules.
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { DependencyError } from './errors';
import { resolveIssuers, type IssuerConfig, type TrustedIssuer } from './providers/index';
import { createRemoteJwks } from './remote-jwks';

export type { IssuerConfig, TrustedIssuer } from './providers/index';

/** A verified payload: `sub` and `exp` are guaranteed. */
export type VerifiedPayload = JWTPayload & { sub: string; exp: number };

export type Verification =
  { ok: true; payload: VerifiedPayload; issuer: TrustedIssuer } | { ok: false; code: string };

export interface VerifierOptions {
  /** Epoch milliseconds. */
  now: () => number;
  /** Timeout of one JWKS fetch, ms (default 1500: the authorizer must answer well within API Gateway's 10 s). */
  jwksTimeoutMs?: number;
  /**
   * Minimum time between two JWKS fetches of one provider, ms (default 1000). A token with an unknown `kid`
   * waits for the next fetch rather than being refused, so a freshly rotated key works on its first use.
   */
  jwksCooldownMs?: number;
  /** Keys are fetched again when older than this, ms (default 10 minutes). */
  jwksMaxAgeMs?: number;
}

/** Leeway for `exp`, `nbf` and `iat` between our clock and the issuer's. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Refuses a configuration that could ever accept an unsigned or HMAC-signed token, or that misses what its
 * provider kind needs; messages start with `where[index].setting`.
 */
export function validateIssuers(issuers: readonly IssuerConfig[], where = 'issuers'): TrustedIssuer[] {
  return resolveIssuers(issuers, where);
}

/** Key lookup: inline keys, or the provider's JWKS (outages reported as a DependencyError). */
function keySource(trusted: TrustedIssuer, options: VerifierOptions): JWTVerifyGetKey {
  if (trusted.jwks !== undefined) return createLocalJWKSet(trusted.jwks);
  return createRemoteJwks(trusted.jwksUri!, {
    timeoutMs: options.jwksTimeoutMs ?? 1500,
    minIntervalMs: options.jwksCooldownMs ?? 1000,
    maxAgeMs: options.jwksMaxAgeMs ?? 600_000,
  });
}

/**
 * Builds a verifier over the trusted issuers. The issuer is chosen by the token's unverified `iss` (one Map
 * lookup, however many are trusted), then every check runs against that issuer's own keys and rules: jose checks
 * signature, algorithm, `iss`, `aud` (where the kind has one), `exp`/`nbf`, `typ` (where configured), then the
 * kind refuses whatever is not one of its access tokens for this API (ID tokens, refresh tokens, other
 * clients). `jku`, `x5u` and `jwk` headers are never consulted: keys come only from configuration.
 */
export function createTokenVerifier(issuers: readonly IssuerConfig[], options: VerifierOptions) {
  const byIssuer = new Map(
    validateIssuers(issuers).map(
      (trusted) => [trusted.issuer, { trusted, getKey: keySource(trusted, options) }] as const,
    ),
  );
  // With one issuer there is nothing to choose: jose checks `iss` itself, so skip decoding the payload twice.
  const only = byIssuer.size === 1 ? [...byIssuer.values()][0] : undefined;

  return async function verifyToken(token: string): Promise<Verification> {
    try {
      const entry = only ?? byIssuer.get(unverifiedIssuer(token));
      if (entry === undefined) return { ok: false, code: 'UNKNOWN_ISSUER' };
      const { trusted, getKey } = entry;
      const { payload, protectedHeader } = await jwtVerify(token, getKey, {
        algorithms: trusted.algorithms,
        issuer: trusted.issuer,
        ...(trusted.rules.checksAudience ? { audience: trusted.audience } : {}),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(options.now()),
        ...(trusted.typ === undefined ? {} : { typ: trusted.typ }),
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, code: 'INVALID_SUB' };
      if (typeof payload.exp !== 'number') return { ok: false, code: 'INVALID_EXP' };
      const refusal = trusted.rules.accessTokenRefusal(payload, protectedHeader, trusted);
      if (refusal !== undefined) return { ok: false, code: refusal };
      return { ok: true, payload: payload as VerifiedPayload, issuer: trusted };
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
