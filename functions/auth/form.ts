// Strict request parsing: headers, size-limited bodies, application/x-www-form-urlencoded and JSON.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OAuthError } from './oauth-errors';

/** Bodies above this many bytes are refused before any parsing. */
export const DEFAULT_BODY_LIMIT = 8 * 1024;
const MAX_PARAMETERS = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PARAMETER_NAME = /^[\x21-\x7e]+$/;

export type Params = ReadonlyMap<string, string>;

const bad = (description: string): OAuthError => new OAuthError('invalid_request', description);

/** One header, case-insensitively; a header sent twice is refused rather than guessed at. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values !== undefined && values.length > 1) {
      throw bad(`header "${name}" is repeated`);
    }
  }
  const found = Object.entries(event.headers ?? {}).filter(([key]) => key.toLowerCase() === wanted);
  if (found.length > 1) throw bad(`header "${name}" is repeated`);
  return found[0]?.[1];
}

/** The media type of Content-Type, lower-cased; any charset other than UTF-8 is refused. */
function mediaType(event: APIGatewayProxyEvent): string | undefined {
  const value = header(event, 'content-type');
  if (value === undefined) return undefined;
  const [type = '', ...parameters] = value.split(';').map((part) => part.trim().toLowerCase());
  for (const parameter of parameters) {
    const [key, raw = ''] = parameter.split('=', 2).map((part) => part.trim());
    if (key === 'charset' && raw.replace(/^"|"$/g, '') !== 'utf-8') {
      throw bad('only the UTF-8 charset is accepted');
    }
  }
  return type;
}

/** The body as text, refused when absent, oversized or badly base64-encoded (binary media types). */
export function readBody(event: APIGatewayProxyEvent, limit = DEFAULT_BODY_LIMIT): string {
  const raw = event.body ?? '';
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(raw, 'utf8') > limit) throw bad(`request body exceeds ${limit} bytes`);
    return raw;
  }
  if (raw.length > Math.ceil(limit / 3) * 4 || raw.length % 4 !== 0 || !BASE64.test(raw)) {
    throw bad(
      raw.length % 4 === 0 && BASE64.test(raw)
        ? `request body exceeds ${limit} bytes`
        : 'body is not valid base64',
    );
  }
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > limit) throw bad(`request body exceeds ${limit} bytes`);
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return text.decode(bytes);
  } catch {
    throw bad('body is not valid UTF-8');
  }
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw bad('body is not valid application/x-www-form-urlencoded');
  }
}

/** Parses a form body; a repeated parameter is an error (RFC 6749 section 3.1). */
export function parseFormText(text: string): Params {
  const params = new Map<string, string>();
  const pairs = text.split('&').filter((pair) => pair !== '');
  if (pairs.length > MAX_PARAMETERS) throw bad(`more than ${MAX_PARAMETERS} parameters`);
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1));
    if (!PARAMETER_NAME.test(name)) throw bad('parameter names must be printable ASCII');
    if (params.has(name)) throw bad(`parameter "${name}" is repeated`);
    params.set(name, value);
  }
  return params;
}

/** The form of a token or revocation request: the only content type RFC 6749 allows there. */
export function parseForm(event: APIGatewayProxyEvent, limit = DEFAULT_BODY_LIMIT): Params {
  if (mediaType(event) !== 'application/x-www-form-urlencoded') {
    throw bad('content type must be application/x-www-form-urlencoded');
  }
  return parseFormText(readBody(event, limit));
}

/** A form or a flat JSON object of strings (sign-up accepts both). */
export function parseFormOrJson(event: APIGatewayProxyEvent, limit = DEFAULT_BODY_LIMIT): Params {
  const type = mediaType(event);
  if (type === 'application/x-www-form-urlencoded') return parseFormText(readBody(event, limit));
  if (type !== 'application/json') {
    throw bad('content type must be application/json or application/x-www-form-urlencoded');
  }
  let value: unknown;
  try {
    value = JSON.parse(readBody(event, limit));
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw bad('body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('body must be a JSON object');
  const params = new Map<string, string>();
  for (const [name, field] of Object.entries(value)) {
    if (typeof field !== 'string') throw bad(`"${name}" must be a string`);
    params.set(name, field);
  }
  return params;
}

/** A parameter's value; an empty value counts as absent (RFC 6749 section 3.1). */
export function optional(params: Params, name: string, maxLength = 1024): string | undefined {
  const value = params.get(name);
  if (value === undefined || value === '') return undefined;
  if (value.length > maxLength) throw bad(`"${name}" is longer than ${maxLength} characters`);
  return value;
}

export function required(params: Params, name: string, maxLength = 1024): string {
  const value = optional(params, name, maxLength);
  if (value === undefined) throw bad(`"${name}" is required`);
  return value;
}
