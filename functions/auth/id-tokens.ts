// OpenID Connect ID tokens (Core 1.0 section 2): RS256 with the ID-token key, audience the client, typ JWT.
import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { createHash } from 'node:crypto';
import type { IdTokenAlgorithm, SigningKey } from './signing-keys';

/**
 * Not `at+jwt`: the authorizer demands that type (RFC 9068 section 4), does not trust RS256 and does not hold
 * this key, so an ID token is refused as a bearer token three times over.
 */
export const ID_TOKEN_TYPE = 'JWT';

export interface IdTokenClaims {
  issuer: string;
  sub: string;
  clientId: string;
  /** Epoch seconds of the sign-in. */
  authTime: number;
  nonce?: string;
  /** The access token issued with it (for `at_hash`). */
  accessToken: string;
  sid?: string;
}

/** Core 3.1.3.6: base64url of the left half of the SHA-256 of the access token (RS256 uses SHA-256). */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export function signIdToken(
  key: SigningKey<IdTokenAlgorithm>,
  claims: IdTokenClaims,
  now: number,
  ttl: number,
): Promise<string> {
  const payload: JWTPayload = { auth_time: claims.authTime, at_hash: atHash(claims.accessToken) };
  if (claims.nonce !== undefined) payload.nonce = claims.nonce;
  if (claims.sid !== undefined) payload.sid = claims.sid;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ID_TOKEN_TYPE })
    .setIssuer(claims.issuer)
    .setAudience(claims.clientId)
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(key.privateKey);
}
