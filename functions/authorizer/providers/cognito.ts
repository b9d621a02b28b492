// Amazon Cognito user pools: access tokens say `token_use: "access"` and name their app client in `client_id`.
//
// Cognito access tokens have no `aud` (ID tokens do, with the client id): the audience check is an allow-list
// of app client ids. Refresh tokens are encrypted (JWE), so they never get this far.
import { clientOf, clientRefusal, type ProviderRules } from './provider';

const CLIENT_CLAIMS = ['client_id'];

export const cognito: ProviderRules = {
  kind: 'cognito',
  issuerShape: 'https://cognito-idp.<region>.amazonaws.com/<userPoolId>',
  isIssuer(issuer) {
    const region = /^cognito-idp\.([a-z0-9-]+)\.amazonaws\.com$/.exec(issuer.hostname)?.[1];
    return (
      region !== undefined &&
      issuer.protocol === 'https:' &&
      new RegExp(`^/${region}_[0-9A-Za-z]+$`).test(issuer.pathname)
    );
  },
  clientClaims: CLIENT_CLAIMS,
  checksAudience: false,
  defaultJwksUri: (issuer) => `${issuer}/.well-known/jwks.json`,
  defaultRolesClaims: ['cognito:groups', 'scope'],
  accessTokenRefusal(payload, _header, settings) {
    if (payload.token_use !== 'access') return 'NOT_AN_ACCESS_TOKEN';
    return clientRefusal(clientOf(payload, CLIENT_CLAIMS), settings);
  },
};
