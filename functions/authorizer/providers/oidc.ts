// Any OpenID Connect or OAuth 2.0 provider: an access token is one for this API's audience, and, when the
// provider sends RFC 9068 access tokens (configure `typ: "at+jwt"`), one with that `typ` header.
import { clientOf, clientRefusal, type ProviderRules } from './provider';

const CLIENT_CLAIMS = ['client_id', 'azp'];

export const oidc: ProviderRules = {
  kind: 'oidc',
  issuerShape: 'an https URL',
  isIssuer: () => true,
  clientClaims: CLIENT_CLAIMS,
  checksAudience: true,
  defaultJwksUri: () => undefined,
  defaultRolesClaims: ['scope'],
  accessTokenRefusal: (payload, _header, settings) =>
    clientRefusal(clientOf(payload, CLIENT_CLAIMS), settings),
};
