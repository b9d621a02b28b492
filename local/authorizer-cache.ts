// API Gateway's authorizer result cache: one entry per cache key, kept for the configured TTL.

export interface AuthorizerCacheOptions {
  /** Seconds an entry lives; 0 disables caching, as on API Gateway. */
  ttlSeconds: number;
  /** Clock in epoch milliseconds, injectable so tests can expire entries. */
  now?: () => number;
  /** Upper bound on entries; the oldest go first once it is reached. */
  maxEntries?: number;
}

export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(options: AuthorizerCacheOptions) {
    if (!(options.ttlSeconds >= 0)) throw new TypeError(`ttlSeconds must be >= 0, got ${options.ttlSeconds}`);
    this.ttlMs = options.ttlSeconds * 1000;
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T): void {
    if (this.ttlMs === 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Drops every entry (API Gateway flushes the cache on a new deployment). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    // Map iteration follows insertion order, so the first key is the oldest entry.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
