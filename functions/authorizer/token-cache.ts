// A bounded LRU of already verified tokens, so repeat calls skip signature verification (never past `exp`).

/**
 * Maps a token to what its verification produced. Entries expire at the time given on `set` (the token's `exp`)
 * and the least recently used entry is evicted when full. The cache holds verification results only: the
 * token-state lookup still runs on every call, so a revocation is seen as soon as it is written.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0)
      throw new TypeError('maxEntries must be an integer >= 0');
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string, nowMs: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined || entry.expiresAtMs <= nowMs) {
      if (entry !== undefined) this.entries.delete(token);
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(token);
    this.entries.set(token, entry);
    this.hits++;
    return entry.value;
  }

  set(token: string, value: T, expiresAtMs: number): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { value, expiresAtMs });
  }
}
