// One structured JSON line per authorizer decision; a tiny logger so the bundle stays small.

/** The fields of a decision line. Never the token, never claims beyond the principal. */
export interface DecisionFields {
  /** `allow`: the policy allows something; `deny`: it allows nothing; `unauthorized`: 401; `error`: 500. */
  decision: 'allow' | 'deny' | 'unauthorized' | 'error';
  /** `OK`, a jose error code such as `ERR_JWT_EXPIRED`, or one of ours such as `TOKEN_REVOKED`. */
  reason: string;
  event: 'token' | 'request';
  principal?: string;
  issuer?: string;
  cached?: boolean;
  latencyMs: number;
}

/** What the authorizer needs of a logger; the AWS Lambda Powertools Logger fits it too. */
export interface DecisionLogger {
  info(message: string, fields: DecisionFields): void;
  error(message: string, fields: DecisionFields): void;
}

/** Writes `{"level","message",...fields}` as one line to `sink` (stdout by default, which Lambda ships). */
export function createJsonLogger(
  sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): DecisionLogger {
  const write = (level: string) => (message: string, fields: DecisionFields) =>
    sink(JSON.stringify({ level, message, ...fields }));
  return { info: write('INFO'), error: write('ERROR') };
}
