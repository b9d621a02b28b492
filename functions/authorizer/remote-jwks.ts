// A provider's published keys: fetched on first use, refreshed when old, and fetched at once for an unknown kid.
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, errors } from 'jose';
import { DependencyError } from './errors';

export interface RemoteJwksOptions {
  /** Timeout of one fetch, ms. */
  timeoutMs: number;
  /**
   * Minimum time between two fetches, ms. A token with an unknown kid waits for the next fetch (at once, or when
   * this interval since the last one has passed), so every unknown kid together costs at most one fetch per
   * interval, and a key published a moment ago works on its first use.
   */
  minIntervalMs: number;
  /** Keys older than this are fetched again before use, so a key the provider withdrew stops working. */
  maxAgeMs: number;
  /** Monotonic milliseconds (default `performance.now`). */
  clock?: () => number;
}

/** Key sets over 512 KB are refused: real ones hold a few keys. */
const MAX_JWKS_BYTES = 512 * 1024;

/**
 * Key lookup for jose's `jwtVerify` over the JWKS at `url`. A missing key is the token's fault
 * (`ERR_JWKS_NO_MATCHING_KEY`, a 401); an unreachable, failing or garbled endpoint is a DependencyError (a 500,
 * so clients keep their tokens).
 */
export function createRemoteJwks(url: string, options: RemoteJwksOptions): JWTVerifyGetKey {
  const clock = options.clock ?? (() => performance.now());
  let keys: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  async function load(): Promise<void> {
    attemptedAt = clock();
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      if (text.length > MAX_JWKS_BYTES) throw new Error('key set too large');
      keys = createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
      fetchedAt = clock();
    } catch (error) {
      throw new DependencyError(`JWKS unavailable: ${url}`, 'JWKS_UNAVAILABLE', { cause: error });
    }
  }

  /** One fetch in flight at a time, and none sooner than `minIntervalMs` after the previous attempt. */
  function refresh(): Promise<void> {
    pending ??= (async () => {
      const wait = attemptedAt + options.minIntervalMs - clock();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await load();
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return async (header, token) => {
    const asked = clock();
    if (keys === undefined || asked - fetchedAt > options.maxAgeMs) await refresh();
    try {
      return await keys!(header, token);
    } catch (error) {
      // Unknown kid: perhaps a key published since the last fetch. A set fetched after this call began is final.
      if (!(error instanceof errors.JWKSNoMatchingKey) || fetchedAt >= asked) throw error;
      await refresh();
      return keys!(header, token);
    }
  };
}
