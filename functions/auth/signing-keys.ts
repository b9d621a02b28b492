// Signing keys: private JWKs imported once. The first Ed25519/P-256 key signs access tokens, the first RSA key
// signs ID tokens (OpenID Connect Discovery requires RS256); every one is published in the JWKS.
import type { CryptoKey, JSONWebKeySet, JWK } from 'jose';
import { importJWK } from 'jose';

export type SigningAlgorithm = 'EdDSA' | 'ES256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256'];

/** ID tokens only: the authorizer never trusts this algorithm, so an ID token is never a bearer token. */
export type IdTokenAlgorithm = 'RS256';
/** RFC 7518 section 3.3: at least 2048 bits. */
const MIN_RSA_BYTES = 256;

export interface SigningKey<A extends string = SigningAlgorithm> {
  kid: string;
  alg: A;
  privateKey: CryptoKey;
  /** The public half as published: no private member ever leaves this module. */
  publicJwk: JWK;
}

export interface SigningKeys {
  /** The key that signs new access tokens. */
  current: SigningKey;
  /** Every access-token key (the only ones access tokens verify against). */
  all: SigningKey[];
  /** The key that signs ID tokens; without one, OpenID Connect is not offered. */
  idToken?: SigningKey<IdTokenAlgorithm>;
  /** Every public key, access-token and ID-token keys alike. */
  jwks: JSONWebKeySet;
}

/** A signing-key set that cannot be used; thrown at start-up, never per request. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

function algorithmOf(jwk: JWK, index: number): SigningAlgorithm | IdTokenAlgorithm {
  const expected: SigningAlgorithm | IdTokenAlgorithm | undefined =
    jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
      ? 'EdDSA'
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? 'ES256'
        : jwk.kty === 'RSA'
          ? 'RS256'
          : undefined;
  if (!expected) {
    throw new SigningKeyError(
      `signing key ${index}: unsupported key type. Expected one of: OKP Ed25519, EC P-256, RSA`,
    );
  }
  if (expected === 'RS256' && Buffer.from(jwk.n ?? '', 'base64url').length < MIN_RSA_BYTES) {
    throw new SigningKeyError(`signing key ${index}: an RSA key must have at least 2048 bits`);
  }
  if (jwk.alg !== undefined && jwk.alg !== expected && !(expected === 'EdDSA' && jwk.alg === 'Ed25519')) {
    throw new SigningKeyError(
      `signing key ${index}: alg "${jwk.alg}" does not match the key type. Expected ${expected}`,
    );
  }
  return expected;
}

/** Reads the secret's text: a JSON array of private JWKs or a JWKS object `{ "keys": [...] }`. */
export function parseSigningKeySecret(text: string): JWK[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SigningKeyError('signing keys: the secret is not JSON');
  }
  const keys: unknown = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SigningKeyError(
      'signing keys: expected a non-empty JSON array of private JWKs or { "keys": [...] }',
    );
  }
  return keys as JWK[];
}

/** Validates and imports the keys (once, at start-up). */
export async function importSigningKeys(jwks: readonly JWK[]): Promise<SigningKeys> {
  if (jwks.length === 0) throw new SigningKeyError('signing keys: at least one key is required');
  const seen = new Set<string>();
  const all: SigningKey[] = [];
  const rsa: SigningKey<IdTokenAlgorithm>[] = [];
  const published: JWK[] = [];
  for (const [index, jwk] of jwks.entries()) {
    if (typeof jwk !== 'object' || jwk === null)
      throw new SigningKeyError(`signing key ${index}: not an object`);
    const { kid } = jwk;
    if (typeof kid !== 'string' || kid === '')
      throw new SigningKeyError(`signing key ${index}: "kid" is required`);
    if (seen.has(kid)) throw new SigningKeyError(`signing key ${index}: kid "${kid}" is repeated`);
    seen.add(kid);
    if (typeof jwk.d !== 'string')
      throw new SigningKeyError(`signing key ${index} (${kid}): not a private key`);
    const alg = algorithmOf(jwk, index);
    const privateKey = await importJWK({ ...jwk, alg }, alg);
    if (!('type' in privateKey) || privateKey.type !== 'private') {
      throw new SigningKeyError(`signing key ${index} (${kid}): not a private key`);
    }
    if (alg === 'RS256') {
      const publicJwk: JWK = { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg, use: 'sig' };
      rsa.push({ kid, alg, privateKey, publicJwk });
      published.push(publicJwk);
      continue;
    }
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg, use: 'sig' };
    if (jwk.kty === 'EC') publicJwk.y = jwk.y;
    all.push({ kid, alg, privateKey, publicJwk });
    published.push(publicJwk);
  }
  if (all.length === 0) {
    throw new SigningKeyError('signing keys: an Ed25519 or P-256 key is required to sign access tokens');
  }
  return {
    current: all[0]!,
    all,
    ...(rsa[0] === undefined ? {} : { idToken: rsa[0] }),
    jwks: { keys: published },
  };
}
