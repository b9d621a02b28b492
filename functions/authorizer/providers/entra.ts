// Microsoft Entra ID (v2.0 endpoint): access tokens for the API carry its application id in `aud`, `ver: "2.0"`.
//
// v2.0 access tokens name the calling client in `azp`; ID tokens have no `azp` and carry the client's own id in
// `aud`. v1.0 tokens (`ver: "1.0"`, issuer https://sts.windows.net/...) are refused: set the API's
// requestedAccessTokenVersion to 2. Refresh tokens are opaque.
import { clientOf, clientRefusal, pathOf, type ProviderRules } from './provider';

const CLIENT_CLAIMS = ['azp'];

export const entra: ProviderRules = {
  kind: 'entra',
  issuerShape: 'https://login.microsoftonline.com/<tenantId>/v2.0',
  isIssuer: (issuer) =>
    issuer.protocol === 'https:' &&
    /^\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\/v2\.0$/.test(pathOf(issuer)),
  clientClaims: CLIENT_CLAIMS,
  checksAudience: true,
  // The tenant's keys: https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys
  defaultJwksUri: (issuer) => issuer.replace(/\/v2\.0\/?$/, '/discovery/v2.0/keys'),
  defaultRolesClaims: ['roles', 'scp'],
  accessTokenRefusal(payload, _header, settings) {
    if (payload.ver !== '2.0') return 'UNSUPPORTED_TOKEN_VERSION';
    const client = clientOf(payload, CLIENT_CLAIMS);
    if (client === undefined) return 'NOT_AN_ACCESS_TOKEN';
    return clientRefusal(client, settings);
  },
};
