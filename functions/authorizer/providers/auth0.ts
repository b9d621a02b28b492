// Auth0: an access token for an API carries the API identifier in `aud` (a string, or a list with /userinfo).
//
// ID tokens carry the application's client id in `aud` instead, so the audience check tells them apart; the
// client is `azp` (Auth0 token profile) or `client_id` (RFC 9068 profile). Refresh tokens are opaque.
import { clientOf, clientRefusal, type ProviderRules } from './provider';

const CLIENT_CLAIMS = ['azp', 'client_id'];

export const auth0: ProviderRules = {
  kind: 'auth0',
  issuerShape: 'https://<tenant domain>/ (with the trailing slash)',
  isIssuer: (url, issuer) => url.protocol === 'https:' && url.pathname === '/' && issuer.endsWith('/'),
  clientClaims: CLIENT_CLAIMS,
  checksAudience: true,
  defaultJwksUri: (issuer) => `${issuer}.well-known/jwks.json`,
  defaultRolesClaims: ['permissions', 'scope'],
  accessTokenRefusal(payload, _header, settings) {
    const client = clientOf(payload, CLIENT_CLAIMS);
    if (client === undefined) return 'NOT_AN_ACCESS_TOKEN';
    return clientRefusal(client, settings);
  },
};
