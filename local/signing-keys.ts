// The local token service's signing keys, generated on first start and kept in --data DIR when given: an EdDSA
// key for access tokens and an RSA key for ID tokens.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

const KEYS_FILE = 'signing-keys.json';

/** A fresh Ed25519 private JWK with `kid` and `alg`. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'EdDSA', use: 'sig' };
}

/** A fresh 2048-bit RSA private JWK for ID tokens (RS256). */
export async function generateIdTokenKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/**
 * The private JWKs for the token service: read from `dataDir` when it holds them, else generated (and written
 * there, readable by the owner only, when `dataDir` is given). A stored set without an RSA key gains one.
 */
export async function loadSigningKeys(dataDir: string | undefined): Promise<JWK[]> {
  if (dataDir === undefined) return [await generateSigningKey(), await generateIdTokenKey()];
  const file = join(dataDir, KEYS_FILE);
  let keys: JWK[] | undefined;
  try {
    keys = JSON.parse(await readFile(file, 'utf8')) as JWK[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (keys?.some((key) => key.kty === 'RSA') === true) return keys;
  keys = [...(keys ?? [await generateSigningKey()]), await generateIdTokenKey()];
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
