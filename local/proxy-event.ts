// Builds API Gateway REST events (proxy integration and REQUEST authorizer) from a local HTTP request.
import type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import type { ApiIdentity } from './method-arn';

/** The parts of an HTTP request the events are made of. */
export interface IncomingParts {
  method: string;
  /** The path as requested (percent-encoded), without the query string. */
  path: string;
  /** The query string without `?` ('' when absent). */
  query: string;
  /** Node's `rawHeaders`: name, value, name, value... with the client's casing. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
}

export interface MatchedParts {
  /** The route template, e.g. `/users/{userId}`. */
  resourcePath: string;
  /** Decoded path parameter values. */
  pathParameters: Record<string, string>;
  requestId: string;
  /** Epoch milliseconds. */
  requestTime: number;
}

type Single = Record<string, string>;
type Multi = Record<string, string[]>;

/**
 * Sets an own, enumerable property whatever its name: `__proto__` or `constructor` as a header or query name
 * must become a plain entry, as in the JSON event API Gateway sends, not reach Object.prototype.
 */
function setOwn<T>(target: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Appends to the list under `name`, creating it as an own property on first use. */
function appendOwn(target: Record<string, string[]>, name: string, value: string): void {
  if (Object.hasOwn(target, name)) target[name]!.push(value);
  else setOwn(target, name, [value]);
}

/** API Gateway gives each header's last value in `headers` and every value in `multiValueHeaders`. */
export function splitHeaders(rawHeaders: readonly string[]): { headers: Single; multiValueHeaders: Multi } {
  const headers: Single = {};
  const multiValueHeaders: Multi = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const value = rawHeaders[index + 1]!;
    setOwn(headers, name, value);
    appendOwn(multiValueHeaders, name, value);
  }
  return { headers, multiValueHeaders };
}

/** Query parameters, decoded, or nulls when there are none (as API Gateway sends them). */
export function splitQuery(query: string): {
  queryStringParameters: Single | null;
  multiValueQueryStringParameters: Multi | null;
} {
  const single: Single = {};
  const multi: Multi = {};
  for (const [name, value] of new URLSearchParams(query)) {
    setOwn(single, name, value);
    appendOwn(multi, name, value);
  }
  return Object.keys(single).length === 0
    ? { queryStringParameters: null, multiValueQueryStringParameters: null }
    : { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function identity(sourceIp: string, userAgent: string | undefined): APIGatewayEventIdentity {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent: userAgent ?? null,
    userArn: null,
  };
}

function requestContext<T>(
  api: ApiIdentity,
  request: IncomingParts,
  matched: MatchedParts,
  userAgent: string | undefined,
  authorizer: T,
): APIGatewayEventRequestContextWithAuthorizer<T> {
  return {
    accountId: api.accountId,
    apiId: api.apiId,
    authorizer,
    domainName: '127.0.0.1',
    extendedRequestId: matched.requestId,
    httpMethod: request.method,
    identity: identity(request.sourceIp, userAgent),
    path: `/${api.stage}${request.path}`,
    protocol: 'HTTP/1.1',
    requestId: matched.requestId,
    requestTime: clfTime(matched.requestTime),
    requestTimeEpoch: matched.requestTime,
    resourceId: matched.resourcePath,
    resourcePath: matched.resourcePath,
    stage: api.stage,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime` format: `21/Nov/2026:00:55:36 +0000`. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]!}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function userAgentOf(headers: Single): string | undefined {
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'user-agent');
  return name === undefined ? undefined : headers[name];
}

/** The REQUEST authorizer event for a matched route. */
export function buildRequestAuthorizerEvent(
  api: ApiIdentity,
  request: IncomingParts,
  matched: MatchedParts,
  methodArn: string,
): APIGatewayRequestAuthorizerEvent {
  const { headers, multiValueHeaders } = splitHeaders(request.rawHeaders);
  const pathParameters = Object.keys(matched.pathParameters).length === 0 ? null : matched.pathParameters;
  return {
    type: 'REQUEST',
    methodArn,
    resource: matched.resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    pathParameters,
    ...splitQuery(request.query),
    stageVariables: null,
    requestContext: requestContext(api, request, matched, userAgentOf(headers), undefined),
  };
}

/** The proxy integration event; `authorizer` is the principal and context the authorizer returned, if any. */
export function buildProxyEvent(
  api: ApiIdentity,
  request: IncomingParts,
  matched: MatchedParts,
  authorizer: Record<string, string> | undefined,
): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = splitHeaders(request.rawHeaders);
  const pathParameters = Object.keys(matched.pathParameters).length === 0 ? null : matched.pathParameters;
  return {
    resource: matched.resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    ...splitQuery(request.query),
    pathParameters,
    stageVariables: null,
    requestContext: requestContext(api, request, matched, userAgentOf(headers), authorizer ?? null),
    // Without binary media types API Gateway passes the body through as text.
    body: request.body.length === 0 ? null : request.body.toString('utf8'),
    isBase64Encoded: false,
  };
}
