// OAuth2 error responses (RFC 6749 section 5.2, RFC 7009) and the JSON response helpers of the token service.
import type { APIGatewayProxyResult } from 'aws-lambda';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'temporarily_unavailable'
  | 'server_error';

/** The one error the token service throws on purpose: a client mistake, answered with an RFC 6749 body. */
export class OAuthError extends Error {
  override name = 'OAuthError';

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status: number = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${description}`);
  }
}

/** Token responses and their errors must never be cached (RFC 6749 sections 5.1 and 5.2). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = NO_STORE,
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: OAuthError): APIGatewayProxyResult {
  return jsonResponse(
    error.status,
    { error: error.code, error_description: error.description },
    { ...NO_STORE, ...error.headers },
  );
}

/**
 * invalid_client answers RFC 6749 section 5.2's 400. Its 401 would need a `WWW-Authenticate` challenge, and API
 * Gateway renames that header in a Lambda proxy response (`x-amzn-Remapped-WWW-Authenticate`), so a 401 would
 * reach the client without one.
 */
export function invalidClient(): OAuthError {
  return new OAuthError('invalid_client', 'client authentication failed', 400);
}
