// The API Gateway OpenAPI 3 document of a compiled scope model: routes, Lambda integrations, authorizers, CORS.
import { ROUTE_AUTHORIZER, TOKEN_AUTHORIZER } from './cache-groups';
import type { CompiledModel, CompiledRoute, Method } from './model';

/** Security scheme names: the (first) token-cached and the per-route Lambda authorizer. */
export { ROUTE_AUTHORIZER, TOKEN_AUTHORIZER };

/** API Gateway's identity sources: the per-route cache key adds the method and the route template. */
export const TOKEN_IDENTITY_SOURCE = 'method.request.header.Authorization';
export const ROUTE_IDENTITY_SOURCE =
  'method.request.header.Authorization, context.httpMethod, context.resourcePath';

/**
 * The Authorization header the token authorizer accepts (`identityValidationExpression`): API Gateway answers a
 * header that does not match with 401 before the Lambda runs. The same text works as a JavaScript RegExp. The
 * scheme is case-insensitive (RFC 7235) but the expression is not, so both cases are spelled out.
 *
 * @example new RegExp(TOKEN_HEADER_PATTERN).test('bearer eyJhbGciOi...') === true
 */
export const TOKEN_HEADER_PATTERN = '^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9._~+/=-]+$';

/** API Gateway caps the authorizer result TTL at one hour. */
export const MAX_AUTHORIZER_TTL_SECONDS = 3600;

export interface OpenApiOptions {
  title: string;
  version?: string;
  /** Function name -> Lambda invoke ARN (`arn:aws:apigateway:<region>:lambda:path/.../invocations`). */
  functionInvokeArns: Readonly<Record<string, string>>;
  /** Invoke ARN of the token-cached authorizers (one function serves every cache group). */
  tokenAuthorizerInvokeArn: string;
  /** Invoke ARN of the per-route authorizer (may be the same function). */
  routeAuthorizerInvokeArn: string;
  /**
   * Seconds API Gateway caches an authorizer answer. It bounds how long a revoked token keeps working:
   * a cached Allow is not re-checked against the table until it expires.
   */
  authorizerTtlSeconds: number;
  /** Allowed CORS origins; `['*']` allows any. */
  corsOrigins: readonly string[];
}

export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
};

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: unknown[];
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
  'x-amazon-apigateway-integration': Record<string, unknown>;
}

const ALLOWED_HEADERS = 'Authorization,Content-Type';
const PREFLIGHT_HEADERS = [
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Headers',
  'Access-Control-Max-Age',
  'Vary',
] as const;

/**
 * Builds the OpenAPI 3 document API Gateway imports for `model`: one `aws_proxy` integration per route, the
 * token-cached and per-route authorizers as security schemes, an OPTIONS preflight per path (mock, no
 * authorizer) and gateway responses carrying CORS headers. Pure: the same inputs give the same document.
 *
 * @example
 * const doc = toOpenApi(model, { title: 'scopegate', functionInvokeArns: { users: arn }, ... });
 */
export function toOpenApi(model: CompiledModel, options: OpenApiOptions): OpenApiDocument {
  const ttl = options.authorizerTtlSeconds;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_AUTHORIZER_TTL_SECONDS) {
    throw new TypeError(`authorizerTtlSeconds ${ttl} is out of range. Expected an integer 0..3600`);
  }
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const operationIds = new Set<string>();
  for (const route of model.routes) {
    const operations = (paths[route.path] ??= {});
    operations[route.method.toLowerCase()] = routeOperation(route, options, operationIds);
  }
  for (const [path, operations] of Object.entries(paths)) {
    const methods = Object.keys(operations).map((method) => method.toUpperCase());
    operations.options = preflightOperation(path, methods, options.corsOrigins);
  }
  return {
    openapi: '3.0.1',
    info: { title: options.title, version: options.version ?? '1.0' },
    paths,
    components: {
      securitySchemes: {
        // One scheme, and so one API Gateway authorizer with its own cache, per cache group.
        ...Object.fromEntries(
          model.groups.map((g) => [g.name, authorizerScheme('token', options.tokenAuthorizerInvokeArn, ttl)]),
        ),
        ...(model.routeAuthorizer === undefined
          ? {}
          : {
              [model.routeAuthorizer]: authorizerScheme('request', options.routeAuthorizerInvokeArn, ttl),
            }),
      },
    },
    'x-amazon-apigateway-gateway-responses': gatewayResponses(options.corsOrigins),
  };
}

function routeOperation(
  route: CompiledRoute,
  options: OpenApiOptions,
  operationIds: Set<string>,
): OpenApiOperation {
  const uri = options.functionInvokeArns[route.function];
  if (uri === undefined) {
    throw new TypeError(
      `no invoke ARN for function "${route.function}" (route ${route.method} ${route.path})`,
    );
  }
  const parameters = pathParameters(route.path);
  const operation: OpenApiOperation = {
    operationId: operationId(route, operationIds),
    summary: `${route.method} ${route.path} -> ${route.function}`,
    description: describeAccess(route),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: { default: { description: `Answered by the ${route.function} function` } },
    'x-amazon-apigateway-integration': {
      type: 'aws_proxy',
      httpMethod: 'POST',
      uri,
      passthroughBehavior: 'when_no_match',
    },
  };
  if (route.authorizer !== undefined) operation.security = [{ [route.authorizer]: [] }];
  return operation;
}

// No line numbers: the document is what gets deployed, and a comment-only edit of scopes.yaml must not change it.
function describeAccess(route: CompiledRoute): string {
  const where = `${route.method} ${route.path}`;
  if (route.access === 'public') return `${where}: public.`;
  if (route.access === 'token') return `${where}: token-cached authorizer ${route.authorizer!}.`;
  return `${where}: per-route authorizer${route.reason === undefined ? '' : ` (${route.reason})`}.`;
}

/** `GET /users/{userId}/roles` -> `getUsersUserIdRoles`; a clash gets the route id appended. */
function operationId(route: CompiledRoute, taken: Set<string>): string {
  let id = `${route.method.toLowerCase()}${pascalCase(route.path)}`;
  if (taken.has(id)) id = `${id}${route.id}`;
  taken.add(id);
  return id;
}

function pascalCase(path: string): string {
  return path
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** `{name}` and greedy `{name+}` both declare the path parameter `name`. */
function pathParameters(path: string): unknown[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function authorizerScheme(type: 'token' | 'request', uri: string, ttl: number): Record<string, unknown> {
  return {
    type: 'apiKey',
    // A token authorizer names its one header; a request authorizer has several identity sources, and AWS's
    // documented form names none of them.
    name: type === 'token' ? 'Authorization' : 'Unused',
    in: 'header',
    'x-amazon-apigateway-authtype': 'custom',
    'x-amazon-apigateway-authorizer': {
      type,
      authorizerUri: uri,
      authorizerResultTtlInSeconds: ttl,
      identitySource: type === 'token' ? TOKEN_IDENTITY_SOURCE : ROUTE_IDENTITY_SOURCE,
      // Rejects a malformed header with 401 before the Lambda runs (token authorizers only).
      ...(type === 'token' ? { identityValidationExpression: TOKEN_HEADER_PATTERN } : {}),
    },
  };
}

/** The preflight answer: a mock integration, no authorizer, the allowed origin echoed only when listed. */
function preflightOperation(path: string, methods: string[], origins: readonly string[]): OpenApiOperation {
  const allowMethods = `'${[...methods, 'OPTIONS'].join(',')}'`;
  const parameters = pathParameters(path);
  const anyOrigin = origins.includes('*');
  const staticOrigin = anyOrigin ? '*' : origins.length === 1 ? origins[0] : undefined;
  const headers: Record<string, string> = {
    'method.response.header.Access-Control-Allow-Methods': allowMethods,
    'method.response.header.Access-Control-Allow-Headers': `'${ALLOWED_HEADERS}'`,
    'method.response.header.Access-Control-Max-Age': "'600'",
    'method.response.header.Vary': "'Origin'",
  };
  if (staticOrigin !== undefined) {
    headers['method.response.header.Access-Control-Allow-Origin'] = `'${staticOrigin}'`;
  }
  return {
    operationId: `options${pascalCase(path)}`,
    summary: `CORS preflight for ${path}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: {
      '200': {
        description: 'CORS preflight',
        headers: Object.fromEntries(
          [...PREFLIGHT_HEADERS].map((name) => [name, { schema: { type: 'string' } }]),
        ),
      },
    },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'when_no_match',
      responses: {
        default: {
          statusCode: '200',
          responseParameters: headers,
          // Several origins: echo the request's Origin only when it is one of them (a mock cannot map it).
          ...(staticOrigin === undefined
            ? { responseTemplates: { 'application/json': originTemplate(origins) } }
            : {}),
        },
      },
    },
  };
}

function originTemplate(origins: readonly string[]): string {
  const test = origins.map((origin) => `$origin == "${origin.replace(/["\\$#]/g, '')}"`).join(' || ');
  return [
    "#set($origin = $input.params().header.get('Origin'))",
    `#if(${test})#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`,
  ].join('\n');
}

/**
 * Error answers API Gateway writes itself (authorizer denials, unknown routes, throttling). They carry CORS
 * headers so a browser can read them; 401 says how to authenticate. MISSING_AUTHENTICATION_TOKEN (an unknown
 * route) stays 403: remapping it to 404 would tell callers which routes exist.
 */
function gatewayResponses(origins: readonly string[]): Record<string, unknown> {
  // Several origins: error bodies carry nothing but the error, so echoing the caller's Origin is harmless.
  const allowOrigin = origins.includes('*')
    ? "'*'"
    : origins.length === 1
      ? `'${origins[0]}'`
      : 'method.request.header.Origin';
  const cors = {
    'gatewayresponse.header.Access-Control-Allow-Origin': allowOrigin,
    'gatewayresponse.header.Access-Control-Allow-Headers': `'${ALLOWED_HEADERS}'`,
    'gatewayresponse.header.Vary': "'Origin'",
  };
  const body = (message: string): Record<string, string> => ({
    'application/json': `{"message":${message}}`,
  });
  return {
    DEFAULT_4XX: { responseParameters: cors, responseTemplates: body('$context.error.messageString') },
    DEFAULT_5XX: { responseParameters: cors, responseTemplates: body('$context.error.messageString') },
    UNAUTHORIZED: {
      statusCode: 401,
      responseParameters: {
        ...cors,
        'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="scopegate"'`,
      },
      responseTemplates: body('"Unauthorized"'),
    },
    ACCESS_DENIED: { statusCode: 403, responseParameters: cors, responseTemplates: body('"Forbidden"') },
    MISSING_AUTHENTICATION_TOKEN: {
      statusCode: 403,
      responseParameters: cors,
      responseTemplates: body('"Forbidden"'),
    },
  };
}

/** Every `METHOD path` the document routes to a Lambda (preflights excluded), for comparisons. */
export function documentRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => method !== 'options')
      .map((method) => `${method.toUpperCase() as Method} ${path}`),
  );
}
