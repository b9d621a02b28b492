// Keycloak: every token of a realm says what it is in its `typ` claim: `Bearer` (access), `ID`, `Refresh`.
//
// The API must be in `aud` (an Audience mapper on a client scope puts it there); the client is `azp`.
import { clientOf, clientRefusal, pathOf, type ProviderRules } from './provider';

const CLIENT_CLAIMS = ['azp'];

export const keycloak: ProviderRules = {
  kind: 'keycloak',
  issuerShape: 'https://<host>/realms/<realm>',
  isIssuer: (issuer) => /^(\/[^/]+)*\/realms\/[^/]+$/.test(pathOf(issuer)),
  clientClaims: CLIENT_CLAIMS,
  checksAudience: true,
  defaultJwksUri: (issuer) => `${issuer}/protocol/openid-connect/certs`,
  defaultRolesClaims: ['realm_access.roles', 'scope'],
  accessTokenRefusal(payload, _header, settings) {
    if (payload.typ !== 'Bearer') return 'NOT_AN_ACCESS_TOKEN';
    return clientRefusal(clientOf(payload, CLIENT_CLAIMS), settings);
  },
};
