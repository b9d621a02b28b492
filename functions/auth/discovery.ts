// GET /.well-known/jwks.json and GET /.well-known/oauth-authorization-server (RFC 8414).
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ServiceContext } from './context';
import { jsonResponse } from './oauth-errors';

/** Public keys change only with a deployment; verifiers may cache them briefly. */
const CACHEABLE = { 'Cache-Control': 'public, max-age=300' };

export function jwks(context: ServiceContext): APIGatewayProxyResult {
  return jsonResponse(200, context.keys.jwks, CACHEABLE);
}

export function metadata(context: ServiceContext): APIGatewayProxyResult {
  const base = context.baseUrl.replace(/\/+$/, '');
  const authMethods = ['client_secret_basic', 'client_secret_post', 'none'];
  return jsonResponse(
    200,
    {
      issuer: context.settings.issuer,
      token_endpoint: `${base}/auth/token`,
      revocation_endpoint: `${base}/auth/revoke`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      scopes_supported: context.catalog.names,
      // No authorization endpoint: no front-channel response types are offered.
      response_types_supported: [],
      grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_methods_supported: authMethods,
    },
    CACHEABLE,
  );
}
