// A node:http server with API Gateway REST semantics: routing, Lambda authorizers and their cache, proxy events.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { matchRoute } from '../policies/index';
import { METHODS, type CompiledModel } from '../policies/model';
import { createHostCheck } from './allowed-hosts';
import { AuthorizerCache } from './authorizer-cache';
import type { AcceptedResult } from './authorizer-result';
import { authorizeRoute, type CacheOutcome, type LocalAuthorizer } from './gateway-authorizer';
import { gatewayError, preflightResponse, type CorsOptions } from './gateway-responses';
import { methodArn, type ApiIdentity, LOCAL_API } from './method-arn';
import { readBody, splitTarget, writeProxyResult } from './http-io';
import { remapIntegrationHeaders } from './remapped-headers';
import { buildProxyEvent, buildRequestAuthorizerEvent, type IncomingParts } from './proxy-event';

/** A Lambda proxy handler (the sample API and token service handlers fit). */
export interface LocalHandler {
  handle(event: APIGatewayProxyEvent): Promise<unknown>;
}

/** What the gateway serves; replaced as a whole when scopes.yaml changes. */
export interface GatewayRuntime {
  model: CompiledModel;
  authorizer: LocalAuthorizer;
  /** Handler per function name of the model. */
  handlers: ReadonlyMap<string, LocalHandler>;
}

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  cache: CacheOutcome;
  /** Why the gateway failed the request (never a token or a body). */
  detail?: string;
}

export interface GatewayOptions {
  /** Until a runtime is set the gateway answers 503. */
  runtime?: GatewayRuntime;
  /** Authorizer cache TTL in seconds (API Gateway's default is 300). */
  ttlSeconds?: number;
  /** Epoch milliseconds, for the cache and the events. */
  now?: () => number;
  cors?: CorsOptions;
  api?: ApiIdentity;
  log?: (entry: RequestLog) => void;
  /** Host names served besides loopback ones (see allowed-hosts.ts); any other Host gets 403. */
  allowedHosts?: readonly string[];
  /** Answers local-only pages (the explorer) before API routing; returns true when it took the request. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface Gateway {
  server: Server;
  cache: AuthorizerCache<AcceptedResult>;
  /** Serves a new model and handlers; flushes the authorizer cache as a new deployment does. */
  setRuntime(runtime: GatewayRuntime): void;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

interface Outcome {
  /** A gateway response or whatever the function returned. */
  response: unknown;
  cache: CacheOutcome;
  detail?: string | undefined;
}

/** API Gateway's limit for the method ARN an authorizer is called with. */
const MAX_METHOD_ARN_BYTES = 1600;

/** `GET /messages 200 3.1ms authorizer=hit` */
export function formatRequestLog(entry: RequestLog): string {
  const detail = entry.detail === undefined ? '' : ` (${entry.detail})`;
  return `${entry.method} ${entry.path} ${entry.status} ${entry.latencyMs.toFixed(1)}ms authorizer=${entry.cache}${detail}`;
}

/** Creates the gateway; `listen` starts it. */
export function createGateway(options: GatewayOptions): Gateway {
  let runtime = options.runtime;
  const now = options.now ?? Date.now;
  const api = options.api ?? LOCAL_API;
  const cors = options.cors ?? { allowedOrigins: ['*'] };
  const newCache = () => new AuthorizerCache<AcceptedResult>({ ttlSeconds: options.ttlSeconds ?? 300, now });
  let cache = newCache();

  async function route(
    request: IncomingParts,
    origin: string | undefined,
    authorization: string | undefined,
  ): Promise<Outcome> {
    if (runtime === undefined) return { response: gatewayError('notReady', cors, origin), cache: 'none' };
    const { model, authorizer, handlers } = runtime;
    // Captured with the runtime: a request in flight during a reload cannot cache an old policy in the new cache.
    const requestCache = cache;
    if (request.method === 'OPTIONS') {
      // The deployed stack answers preflights itself (mock integration), never through an authorizer.
      const methods = METHODS.filter((method) => matchRoute(model, method, request.path) !== undefined);
      const response =
        methods.length === 0
          ? gatewayError('missingAuthenticationToken', cors, origin)
          : preflightResponse(cors, origin, methods);
      return { response, cache: 'none' as const };
    }
    const match = matchRoute(model, request.method, request.path);
    if (match === undefined)
      return { response: gatewayError('missingAuthenticationToken', cors, origin), cache: 'none' };
    const pathParameters: Record<string, string> = {};
    try {
      for (const [name, value] of Object.entries(match.pathParameters))
        pathParameters[name] = decodeURIComponent(value);
    } catch {
      return {
        response: gatewayError('badRequest', cors, origin),
        cache: 'none',
        detail: 'malformed path escape',
      };
    }
    const matched = {
      resourcePath: match.route.path,
      pathParameters,
      requestId: randomUUID(),
      requestTime: now(),
    };
    const arn = methodArn(api, request.method, request.path);
    let context: Record<string, string> | undefined;
    let cacheOutcome: CacheOutcome = 'none';
    if (match.route.access !== 'public') {
      // API Gateway refuses a method ARN over 1,600 bytes before any authorizer runs, so nothing is cached.
      if (Buffer.byteLength(arn) > MAX_METHOD_ARN_BYTES) {
        return {
          response: gatewayError('uriTooLong', cors, origin),
          cache: 'none',
          detail: 'method ARN too long',
        };
      }
      const decision = await authorizeRoute({
        access: match.route.access,
        authorizerName: match.route.authorizer!,
        authorizer,
        cache: requestCache,
        authorization,
        methodArn: arn,
        httpMethod: request.method,
        resourcePath: match.route.path,
        requestEvent: () => buildRequestAuthorizerEvent(api, request, matched, arn),
      });
      cacheOutcome = decision.cache;
      if (!decision.allowed) {
        return {
          response: gatewayError(decision.error, cors, origin),
          cache: decision.cache,
          detail: decision.detail,
        };
      }
      context = decision.context;
    }
    const handler = handlers.get(match.route.function);
    if (handler === undefined) {
      const detail = `no local handler for function "${match.route.function}"`;
      return { response: gatewayError('integrationFailure', cors, origin), cache: cacheOutcome, detail };
    }
    try {
      return {
        response: remapIntegrationHeaders(
          await handler.handle(buildProxyEvent(api, request, matched, context)),
        ),
        cache: cacheOutcome,
      };
    } catch (error) {
      const detail = `function "${match.route.function}" failed: ${error instanceof Error ? error.message : String(error)}`;
      return { response: gatewayError('integrationFailure', cors, origin), cache: cacheOutcome, detail };
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const [rawPath = '/', query = ''] = splitTarget(req.url ?? '/');
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    let result: Outcome;
    const body = await readBody(req);
    if (body === undefined) {
      result = { response: gatewayError('requestTooLarge', cors, origin), cache: 'none' };
    } else {
      const request: IncomingParts = {
        method,
        path: rawPath,
        query,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      };
      const authorization = req.headers.authorization;
      result = await route(request, origin, authorization);
    }
    let status = writeProxyResult(res, result.response);
    if (status === undefined) {
      result.detail = 'the function returned a malformed proxy result';
      status = writeProxyResult(res, gatewayError('integrationFailure', cors, origin))!;
    }
    const entry: RequestLog = {
      method,
      path: rawPath,
      status,
      latencyMs: performance.now() - started,
      cache: result.cache,
    };
    if (result.detail !== undefined) entry.detail = result.detail;
    options.log?.(entry);
  }

  const hostAllowed = createHostCheck(options.allowedHosts);
  const server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host)) {
      options.log?.({
        method: req.method ?? '?',
        path: '?',
        status: 403,
        latencyMs: 0,
        cache: 'none',
        detail: 'Host not allowed',
      });
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'Host not allowed; add it to ALLOWED_HOSTS to serve it' }));
      req.resume();
      return;
    }
    if (options.intercept?.(req, res) === true) return;
    serve(req, res).catch((error: unknown) => {
      options.log?.({
        method: req.method ?? '?',
        path: '?',
        status: 500,
        latencyMs: 0,
        cache: 'none',
        detail: String(error),
      });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal server error' }));
    });
  });

  return {
    server,
    get cache() {
      return cache;
    },
    setRuntime(next) {
      runtime = next;
      cache = newCache();
    },
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
