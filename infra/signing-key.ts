// The built-in token service's signing keys: checked at preview, and their public half for the authorizer.
import { ConfigError, NAMESPACE } from './config';

export const SIGNING_KEY_CONFIG = 'signingKey';

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: 'EdDSA' | 'ES256';
  use: 'sig';
}

/**
 * Validates the `signingKey` secret (a JSON array of private JWKs or `{ "keys": [...] }`, Ed25519 or P-256,
 * each with a `kid`, plus optionally RSA keys that sign only ID tokens) and returns the public JWKS the
 * authorizer trusts: the access-token keys, never an RSA one. Messages never quote the secret.
 */
export function publicJwksOf(secret: string): { keys: PublicJwk[] } {
  const fail = (problem: string): never => {
    throw new ConfigError(`${NAMESPACE}:${SIGNING_KEY_CONFIG}: ${problem}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(secret);
  } catch {
    return fail('is not JSON. Expected a JSON array of private JWKs or { "keys": [...] }');
  }
  const keys: unknown = Array.isArray(value) ? value : (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    return fail('expected a non-empty JSON array of private JWKs or { "keys": [...] }');
  }
  const kids = new Set<string>();
  const accessKeys = keys.map((key: unknown, index): PublicJwk | undefined => {
    const jwk = (typeof key === 'object' && key !== null ? key : {}) as Record<string, unknown>;
    const { kty, crv, x, y, d, kid } = jwk;
    if (typeof kid !== 'string' || kid === '' || kids.has(kid))
      fail(`key ${index}: "kid" is missing or repeated`);
    kids.add(kid as string);
    if (kty === 'RSA') return typeof d === 'string' ? undefined : fail(`key ${index}: not a private key`);
    if (typeof d !== 'string' || typeof x !== 'string') fail(`key ${index}: not a private key`);
    if (kty === 'OKP' && crv === 'Ed25519') {
      return { kty, crv, x: x as string, kid: kid as string, alg: 'EdDSA', use: 'sig' };
    }
    if (kty === 'EC' && crv === 'P-256' && typeof y === 'string') {
      return { kty, crv, x: x as string, y, kid: kid as string, alg: 'ES256', use: 'sig' };
    }
    return fail(`key ${index}: unsupported key type. Expected one of: OKP Ed25519, EC P-256, RSA`);
  });
  const trusted = accessKeys.filter((key): key is PublicJwk => key !== undefined);
  if (trusted.length === 0) fail('an Ed25519 or P-256 key is required to sign access tokens');
  return { keys: trusted };
}
