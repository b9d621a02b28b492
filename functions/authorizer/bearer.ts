// Extracts exactly one bearer token from an Authorization header, refusing anything ambiguous before any crypto.
import { isCompactJws } from '../lib/compact-jws';

/** API Gateway's own header limit is 10 KB; a real access token is far smaller, so refuse big ones unverified. */
export const MAX_TOKEN_BYTES = 8192;

export type BearerResult =
  { token: string } | { reason: 'NO_TOKEN' | 'NOT_BEARER' | 'TOKEN_TOO_LARGE' | 'MALFORMED' };

/**
 * Parses `Bearer <jwt>`: the scheme is case-insensitive (RFC 7235), one space or tab, then exactly one token.
 * Anything else (other schemes, two tokens, a comma-joined repeated header, an empty token) is refused.
 *
 * @example parseBearer('bearer eyJ...') // { token: 'eyJ...' }
 */
export function parseBearer(header: string | undefined): BearerResult {
  if (header === undefined) return { reason: 'NO_TOKEN' };
  const value = header.trim();
  if (value === '') return { reason: 'NO_TOKEN' };
  if (value.length > MAX_TOKEN_BYTES + 16) return { reason: 'TOKEN_TOO_LARGE' };
  // Scan by hand: this runs on every request, and a regex over the whole header costs more than the rest.
  let end = 0;
  while (end < value.length && value[end] !== ' ' && value[end] !== '\t') end++;
  if (value.slice(0, end).toLowerCase() !== 'bearer') return { reason: 'NOT_BEARER' };
  const token = value.slice(end).trimStart();
  if (token === '') return { reason: 'NO_TOKEN' };
  if (Buffer.byteLength(token) > MAX_TOKEN_BYTES) return { reason: 'TOKEN_TOO_LARGE' };
  if (!isCompactJws(token)) return { reason: 'MALFORMED' };
  return { token };
}

/**
 * Finds the Authorization header of a REQUEST event case-insensitively. More than one value (in `headers`
 * under different casings, or in `multiValueHeaders`) is ambiguous and yields `null`.
 */
export function findAuthorization(
  headers: Record<string, string | undefined> | null | undefined,
  multiValueHeaders: Record<string, string[] | undefined> | null | undefined,
): string | undefined | null {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && value !== undefined) values.push(value);
  }
  const multi: string[] = [];
  for (const [name, list] of Object.entries(multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'authorization' && list !== undefined) multi.push(...list);
  }
  if (multi.length > 1 || values.length > 1) return null;
  if (multi.length === 1 && values.length === 1 && multi[0] !== values[0]) return null;
  return values[0] ?? multi[0];
}
