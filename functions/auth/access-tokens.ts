// Access tokens (RFC 9068 JWT profile): signed with the current key, verified against every published key.
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import type { SigningKeys } from './signing-keys';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface TokenSettings {
  issuer: string;
  audience: string;
  /** Seconds. */
  ttl: number;
}

export interface AccessTokenSubject {
  sub: string;
  scope: string;
  clientId: string;
  /** The refresh family; absent for client-credentials tokens. */
  sid?: string;
}

export interface SignedAccessToken {
  token: string;
  jti: string;
  expiresAt: number;
}

export async function signAccessToken(
  keys: SigningKeys,
  settings: TokenSettings,
  subject: AccessTokenSubject,
  now: number,
): Promise<SignedAccessToken> {
  const jti = randomUUID();
  const expiresAt = now + settings.ttl;
  const claims: JWTPayload = { scope: subject.scope, client_id: subject.clientId };
  if (subject.sid !== undefined) claims.sid = subject.sid;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: keys.current.alg, kid: keys.current.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(subject.sub)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(keys.current.privateKey);
  return { token, jti, expiresAt };
}

export type AccessTokenVerifier = (token: string, now: number) => Promise<JWTPayload | undefined>;

/** Verifies one of our own access tokens (signature, issuer, audience, type, expiry); undefined when not one. */
export function createAccessTokenVerifier(keys: SigningKeys, settings: TokenSettings): AccessTokenVerifier {
  const keySet = createLocalJWKSet({ keys: keys.all.map((key) => key.publicJwk) });
  const algorithms = [...new Set(keys.all.map((key) => key.alg))];
  return async (token, now) => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: settings.issuer,
        audience: settings.audience,
        typ: ACCESS_TOKEN_TYPE,
        algorithms,
        currentDate: new Date(now * 1000),
        requiredClaims: ['jti', 'exp', 'sub', 'client_id'],
      });
      return typeof payload.jti === 'string' && typeof payload.exp === 'number' ? payload : undefined;
    } catch {
      return undefined;
    }
  };
}
