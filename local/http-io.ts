// The HTTP edges of the gateway: reading a request within API Gateway's limits, writing a proxy result.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Splits a request target into the raw path and the query string (without `?`). */
export function splitTarget(target: string): [string, string] {
  const index = target.indexOf('?');
  return index === -1 ? [target, ''] : [target.slice(0, index), target.slice(index + 1)];
}

/** The body, or undefined when it passes API Gateway's payload limit. */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  // Most requests (GET, preflight) have no body: skip the stream machinery.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Writes a proxy result (or a gateway response); undefined when the result is malformed (API Gateway: 502). */
export function writeProxyResult(res: ServerResponse, value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const result = value as Record<string, unknown>;
  const { statusCode, body, headers, multiValueHeaders, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const out: Record<string, string | string[]> = {};
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') return undefined;
    for (const [name, item] of Object.entries(headers)) {
      if (!isScalar(item)) return undefined;
      out[name] = String(item);
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (typeof multiValueHeaders !== 'object') return undefined;
    for (const [name, items] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(items) || !items.every(isScalar)) return undefined;
      out[name] = items.map(String);
    }
  }
  if (!Object.keys(out).some((name) => name.toLowerCase() === 'content-type'))
    out['Content-Type'] = 'application/json';
  const payload =
    typeof body === 'string'
      ? Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8')
      : Buffer.alloc(0);
  res.writeHead(statusCode, { ...out, 'Content-Length': String(payload.length) });
  res.end(payload);
  return statusCode;
}
