// Signing keys: private JWKs imported once; the first signs, every one is published in the JWKS.
import type { CryptoKey, JSONWebKeySet, JWK } from 'jose';
import { importJWK } from 'jose';

export type SigningAlgorithm = 'EdDSA' | 'ES256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256'];

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  /** The public half as published: no private member ever leaves this module. */
  publicJwk: JWK;
}

export interface SigningKeys {
  /** The key that signs new tokens. */
  current: SigningKey;
  all: SigningKey[];
  jwks: JSONWebKeySet;
}

/** A signing-key set that cannot be used; thrown at start-up, never per request. */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

function algorithmOf(jwk: JWK, index: number): SigningAlgorithm {
  const expected: SigningAlgorithm | undefined =
    jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
      ? 'EdDSA'
      : jwk.kty === 'EC' && jwk.crv === 'P-256'
        ? 'ES256'
        : undefined;
  if (!expected) {
    throw new SigningKeyError(
      `signing key ${index}: unsupported key type. Expected one of: OKP Ed25519, EC P-256`,
    );
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
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg, use: 'sig' };
    if (jwk.kty === 'EC') publicJwk.y = jwk.y;
    all.push({ kid, alg, privateKey, publicJwk });
  }
  return { current: all[0]!, all, jwks: { keys: all.map((key) => key.publicJwk) } };
}
