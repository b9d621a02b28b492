// The authorizer's two failure modes: a bad token (exactly 'Unauthorized', a 401) and a dependency outage (a 500).

/**
 * API Gateway turns only this exact message into a 401; any other rejection becomes a 500. A fresh Error every
 * time, so no caller can attach state to a shared instance.
 */
export function unauthorized(): Error {
  return new Error('Unauthorized');
}

/**
 * A dependency (the JWKS endpoint, DynamoDB) failed: the request is refused with a 500, which a client can tell
 * apart from a bad token and retry without discarding its token.
 */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';

  constructor(
    message: string,
    /** Stable reason code for logs, e.g. `JWKS_UNAVAILABLE`. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
