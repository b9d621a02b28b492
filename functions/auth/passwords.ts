// Password hashing with scrypt (node:crypto) at OWASP parameters, stored in a self-describing PHC-style string.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1 (about 128 MiB and 0.5 s per hash). */
export const OWASP_SCRYPT: ScryptParams = { logN: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{16,128})$/;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  // Node refuses anything above 32 MiB by default; scrypt needs about 128 * N * r bytes.
  const maxmem = 256 * N * params.r * params.p + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, { N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

interface Decoded {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function decode(encoded: string): Decoded | undefined {
  const match = FORMAT.exec(encoded);
  if (!match) return undefined;
  const [, logN, r, p, salt, key] = match;
  const params = { logN: Number(logN), r: Number(r), p: Number(p) };
  if (params.logN < 10 || params.logN > 20 || params.r < 1 || params.p < 1) return undefined;
  return { params, salt: Buffer.from(salt!, 'base64url'), key: Buffer.from(key!, 'base64url') };
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time check; false for a malformed stored hash. */
  verify(password: string, encoded: string): Promise<boolean>;
  /** Burns the same work as `verify` for a user that does not exist, so time does not tell. */
  verifyDummy(password: string): Promise<false>;
  /** True when the stored hash uses weaker parameters than the current ones. */
  needsRehash(encoded: string): boolean;
}

/** @example const hasher = createPasswordHasher(); const stored = await hasher.hash('correct horse'); */
export function createPasswordHasher(params: ScryptParams = OWASP_SCRYPT): PasswordHasher {
  const dummy: Decoded = { params, salt: Buffer.alloc(SALT_LENGTH, 7), key: Buffer.alloc(KEY_LENGTH) };
  const check = async (password: string, stored: Decoded): Promise<boolean> => {
    const key = await derive(password, stored.salt, stored.params, stored.key.length);
    return timingSafeEqual(key, stored.key);
  };
  return {
    async hash(password) {
      const salt = randomBytes(SALT_LENGTH);
      const key = await derive(password, salt, params, KEY_LENGTH);
      return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
    },
    async verify(password, encoded) {
      const stored = decode(encoded);
      if (!stored) {
        await check(password, dummy);
        return false;
      }
      return check(password, stored);
    },
    async verifyDummy(password) {
      await check(password, dummy);
      return false;
    },
    needsRehash(encoded) {
      const stored = decode(encoded);
      return (
        !stored ||
        stored.params.logN < params.logN ||
        stored.params.r < params.r ||
        stored.params.p < params.p ||
        stored.key.length < KEY_LENGTH
      );
    },
  };
}
