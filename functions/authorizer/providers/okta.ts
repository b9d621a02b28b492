// Okta custom authorization servers: access tokens carry the API audience in `aud` and the client in `cid`.
//
// ID tokens carry the client id in `aud` and no `cid`. The org authorization server (https://<org> with no
// /oauth2/ path) issues access tokens for Okta's own APIs only, which a resource server cannot validate.
import { clientOf, clientRefusal, pathOf, type ProviderRules } from './provider';

const CLIENT_CLAIMS = ['cid'];

export const okta: ProviderRules = {
  kind: 'okta',
  issuerShape: 'https://<org domain>/oauth2/<authorizationServerId> (a custom authorization server)',
  isIssuer: (issuer) => issuer.protocol === 'https:' && /^\/oauth2\/[^/]+$/.test(pathOf(issuer)),
  clientClaims: CLIENT_CLAIMS,
  checksAudience: true,
  defaultJwksUri: (issuer) => `${issuer}/v1/keys`,
  defaultRolesClaims: ['scp', 'groups'],
  accessTokenRefusal(payload, _header, settings) {
    const client = clientOf(payload, CLIENT_CLAIMS);
    if (client === undefined) return 'NOT_AN_ACCESS_TOKEN';
    return clientRefusal(client, settings);
  },
};
