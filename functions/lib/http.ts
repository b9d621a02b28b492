// The HTTP edge of the sample API functions: a route table, the caller, JSON bodies and responses, CORS.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** An answer with a status and a JSON `{ error }` body; the one error class handlers map. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Who calls, as the authorizer's context says (every value a string). */
export interface Caller {
  sub: string;
  roles: string[];
  clientId?: string;
}

/** What a route answers: a status and a body sent as JSON (`undefined`: an empty body). */
export interface Reply {
  statusCode: number;
  body?: unknown;
}

/** Serves one route, keyed `METHOD /resource` as API Gateway names it (`event.resource` is the template). */
export type Route = (event: APIGatewayProxyEvent, caller: Caller) => Promise<Reply>;

/**
 * Serves a table of routes: CORS headers on every answer, the caller required, 404 for a route not in the
 * table, and errors mapped by `errorResponse`.
 *
 * @example
 * const handle = serveRoutes({ 'GET /things': async () => ({ statusCode: 200, body: [] }) }, ['*']);
 */
export function serveRoutes<Key extends string>(
  routes: Readonly<Record<Key, Route>>,
  corsOrigins: readonly string[],
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  const table = new Map<string, Route>(Object.entries<Route>(routes));
  return async (event) => {
    const headers = corsHeaders(event, corsOrigins);
    try {
      const caller = callerOf(event);
      const key = `${event.httpMethod} ${event.resource}`;
      const route = table.get(key);
      if (route === undefined) throw new HttpError(404, `no route ${key}`);
      const reply = await route(event, caller);
      return json(reply.statusCode, reply.body, headers);
    } catch (error) {
      return errorResponse(error, headers);
    }
  };
}

/** Reads the caller; without an authorizer context the route was not protected, so refuse (fail closed). */
export function callerOf(event: APIGatewayProxyEvent): Caller {
  const context = (event.requestContext.authorizer ?? {}) as Record<string, unknown>;
  const { sub, roles, clientId } = context;
  if (typeof sub !== 'string' || sub === '') throw new HttpError(401, 'Unauthorized');
  return {
    sub,
    roles: typeof roles === 'string' ? roles.split(' ').filter((role) => role !== '') : [],
    ...(typeof clientId === 'string' && clientId !== '' ? { clientId } : {}),
  };
}

/** Parses a JSON object body; anything else is a 400. */
export function jsonBody(event: APIGatewayProxyEvent): Record<string, unknown> {
  const text =
    event.isBase64Encoded && event.body !== null ? Buffer.from(event.body, 'base64').toString() : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'the body is not a JSON object');
  }
  return value as Record<string, unknown>;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The `limit` query parameter of a listing: an integer 1..MAX_LIMIT, DEFAULT_LIMIT when absent. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    throw new HttpError(400, `limit must be an integer 1..${MAX_LIMIT}`);
  return limit;
}

/** CORS headers for a response: `*`, or the request's Origin when it is one of the allowed ones. */
export function corsHeaders(event: APIGatewayProxyEvent, allowed: readonly string[]): Record<string, string> {
  if (allowed.includes('*')) return { 'Access-Control-Allow-Origin': '*' };
  const origin = event.headers.origin ?? event.headers.Origin;
  return origin !== undefined && allowed.includes(origin)
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
    : { Vary: 'Origin' };
}

/** A JSON response that no cache keeps (the answers depend on the caller). */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string>,
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Maps an error to a response: `HttpError` as is, anything else a 500 that reveals nothing. */
export function errorResponse(error: unknown, headers: Record<string, string>): APIGatewayProxyResult {
  if (error instanceof HttpError) return json(error.statusCode, { error: error.message }, headers);
  return json(500, { error: 'internal error' }, headers);
}
