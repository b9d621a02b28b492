// A bound on the password hashing anonymous requests can queue: a few at once, a short queue, then 503.

/** Thrown when the queue is full; the token service answers 503 with `Retry-After`. */
export class BusyError extends Error {
  override readonly name = 'BusyError';

  constructor(readonly retryAfterSeconds: number) {
    super('too much password hashing queued');
  }
}

export interface WorkLimit {
  /** Runs `task` when a slot is free; rejects with BusyError at once when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running and waiting now. */
  readonly pending: number;
}

/**
 * scrypt runs on libuv's thread pool (4 threads by default), which WebCrypto and file I/O share: hashing at
 * most `concurrency` passwords at once leaves threads for token verification, and a bounded queue keeps a
 * flood of sign-ups from piling up work (and memory: 128 MiB per hash) that legitimate callers would wait behind.
 *
 * @example const limit = createWorkLimit(2, 8); await limit.run(() => hasher.hash(password));
 */
export function createWorkLimit(concurrency: number, queueLength: number): WorkLimit {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next !== undefined) {
      running += 1;
      next();
    }
  };
  return {
    async run(task) {
      if (running >= concurrency) {
        if (waiting.length >= queueLength) throw new BusyError(1);
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    get pending() {
      return running + waiting.length;
    },
  };
}
