// API Gateway's own responses (errors it answers without calling the integration) and CORS, as the deployed
// stack configures them (policies/openapi.ts: gateway responses and the mock OPTIONS integration).

export type GatewayHeaders = Record<string, string>;

export interface GatewayResponse {
  statusCode: number;
  headers: GatewayHeaders;
  body: string;
}

export interface CorsOptions {
  /** Origins allowed to call the API; `['*']` allows any. */
  allowedOrigins: readonly string[];
}

const ALLOWED_HEADERS = 'Authorization,Content-Type';

/**
 * Gateway responses: `*` or the only origin, else the caller's Origin echoed (error bodies hold nothing but the
 * error, so the deployed stack echoes any origin there).
 */
function errorCorsHeaders(cors: CorsOptions, origin: string | undefined): GatewayHeaders {
  const { allowedOrigins } = cors;
  const allow = allowedOrigins.includes('*') ? '*' : allowedOrigins.length === 1 ? allowedOrigins[0] : origin;
  return {
    ...(allow === undefined ? {} : { 'Access-Control-Allow-Origin': allow }),
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    Vary: 'Origin',
  };
}

/** The answer to a CORS preflight for a resource that declares `methods`: the origin only when it is allowed. */
export function preflightResponse(
  cors: CorsOptions,
  origin: string | undefined,
  methods: readonly string[],
): GatewayResponse {
  const { allowedOrigins } = cors;
  const allow = allowedOrigins.includes('*')
    ? '*'
    : allowedOrigins.length === 1
      ? allowedOrigins[0]
      : origin !== undefined && allowedOrigins.includes(origin)
        ? origin
        : undefined;
  return {
    statusCode: 200,
    headers: {
      ...(allow === undefined ? {} : { 'Access-Control-Allow-Origin': allow }),
      'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(','),
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    },
    body: '',
  };
}

/**
 * The gateway responses the local gateway can produce: status, body message as the deployed stack renders it,
 * and API Gateway's error type (sent as `x-amzn-ErrorType`, which tells an explicit Deny from a missing Allow).
 */
export const GATEWAY_ERRORS = {
  // An undeclared route stays 403 "Forbidden": a 404 would tell callers which routes exist.
  missingAuthenticationToken: [403, 'Forbidden', 'MissingAuthenticationTokenException'],
  unauthorized: [401, 'Unauthorized', 'UnauthorizedException'],
  accessDenied: [403, 'Forbidden', 'AccessDeniedException'],
  explicitDeny: [403, 'Forbidden', 'AccessDeniedException'],
  // API Gateway's message for a failed or malformed authorizer is null.
  authorizerFailure: [500, null, 'AuthorizerConfigurationException'],
  integrationFailure: [502, 'Internal server error', 'InternalServerErrorException'],
  requestTooLarge: [413, 'Request Too Long', 'RequestTooLongException'],
  uriTooLong: [414, 'Request-URI Too Long', 'RequestUriTooLongException'],
  badRequest: [400, 'Bad Request', 'BadRequestException'],
  notReady: [503, 'Service Unavailable', 'ServiceUnavailableException'],
} as const satisfies Record<string, readonly [number, string | null, string]>;

export type GatewayError = keyof typeof GATEWAY_ERRORS;

/** A gateway response with CORS headers, and `WWW-Authenticate` on a 401 so clients know to send a token. */
export function gatewayError(
  error: GatewayError,
  cors: CorsOptions,
  origin: string | undefined,
): GatewayResponse {
  const [statusCode, message, errorType] = GATEWAY_ERRORS[error];
  const headers: GatewayHeaders = {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': errorType,
    ...errorCorsHeaders(cors, origin),
  };
  if (statusCode === 401) headers['WWW-Authenticate'] = 'Bearer realm="scopegate"';
  return { statusCode, headers, body: JSON.stringify({ message }) };
}
