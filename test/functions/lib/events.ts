// API Gateway proxy events as the sample API functions receive them behind the authorizer.
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface EventShape {
  method: string;
  resource: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** The authorizer context; `null` for a call that reached the function without one. */
  caller?: { sub: string; roles: string } | null;
  origin?: string;
}

export function proxyEvent(shape: EventShape): APIGatewayProxyEvent {
  const caller = shape.caller === undefined ? { sub: 'user-1', roles: 'User' } : shape.caller;
  return {
    httpMethod: shape.method,
    resource: shape.resource,
    path: shape.path ?? shape.resource,
    pathParameters: shape.pathParameters ?? null,
    queryStringParameters: shape.query ?? null,
    multiValueQueryStringParameters: null,
    headers: shape.origin === undefined ? {} : { origin: shape.origin },
    multiValueHeaders: {},
    stageVariables: null,
    isBase64Encoded: false,
    body:
      shape.body === undefined
        ? null
        : typeof shape.body === 'string'
          ? shape.body
          : JSON.stringify(shape.body),
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3',
      authorizer:
        caller === null ? null : { ...caller, clientId: 'web', tokenId: 'jti-1', principalId: caller.sub },
      httpMethod: shape.method,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/v1${shape.path ?? shape.resource}`,
      protocol: 'HTTP/1.1',
      requestId: 'req-1',
      requestTimeEpoch: 0,
      resourceId: 'r1',
      resourcePath: shape.resource,
      stage: 'v1',
    },
  };
}
