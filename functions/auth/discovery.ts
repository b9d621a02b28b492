// GET /.well-known/jwks.json, /.well-known/oauth-authorization-server (RFC 8414) and
// /.well-known/openid-configuration (OpenID Connect Discovery): one document, advertising exactly what is served.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ServiceContext } from './context';
import { jsonResponse } from './oauth-errors';
import { OPENID_SCOPE } from './scopes';

/** Public keys change only with a deployment; verifiers may cache them briefly. */
const CACHEABLE = { 'Cache-Control': 'public, max-age=300' };

export function jwks(context: ServiceContext): APIGatewayProxyResult {
  return jsonResponse(200, context.keys.jwks, CACHEABLE);
}

function document(context: ServiceContext): Record<string, unknown> {
  const base = context.baseUrl.replace(/\/+$/, '');
  const authMethods = ['client_secret_basic', 'client_secret_post', 'none'];
  const oidc = context.keys.idToken !== undefined;
  return {
    issuer: context.settings.issuer,
    authorization_endpoint: `${base}/auth/authorize`,
    token_endpoint: `${base}/auth/token`,
    revocation_endpoint: `${base}/auth/revoke`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    ...(oidc ? { userinfo_endpoint: `${base}/auth/userinfo` } : {}),
    scopes_supported: [...(oidc ? [OPENID_SCOPE] : []), ...context.catalog.names],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    // RFC 9207: every answer of the authorization endpoint names the issuer (mix-up defence).
    authorization_response_iss_parameter_supported: true,
    ...(oidc
      ? {
          subject_types_supported: ['public'],
          // OpenID Connect Discovery defaults this one to true: say it is not offered.
          request_uri_parameter_supported: false,
          id_token_signing_alg_values_supported: [context.keys.idToken!.alg],
          claims_supported: [
            'iss',
            'sub',
            'aud',
            'exp',
            'iat',
            'auth_time',
            'nonce',
            'at_hash',
            'sid',
            'preferred_username',
          ],
        }
      : {}),
  };
}

export function metadata(context: ServiceContext): APIGatewayProxyResult {
  return jsonResponse(200, document(context), CACHEABLE);
}

/** Served only with an ID-token key: without one the service is not an OpenID provider. */
export function openidConfiguration(context: ServiceContext): APIGatewayProxyResult {
  if (context.keys.idToken === undefined) {
    return jsonResponse(
      404,
      { error: 'not_found', error_description: 'OpenID Connect is not configured' },
      {},
    );
  }
  return jsonResponse(200, document(context), CACHEABLE);
}
