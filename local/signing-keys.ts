// The local token service's signing key: an EdDSA key generated on first start, kept in --data DIR when given.
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

/**
 * The private JWKs for the token service: read from `dataDir` when it holds them, else generated (and written
 * there, readable by the owner only, when `dataDir` is given).
 */
export async function loadSigningKeys(dataDir: string | undefined): Promise<JWK[]> {
  if (dataDir === undefined) return [await generateSigningKey()];
  const file = join(dataDir, KEYS_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const keys = [await generateSigningKey()];
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
