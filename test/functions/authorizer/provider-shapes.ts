// Tokens shaped as each provider documents them (header and claims, access vs ID vs refresh), and a JWKS server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JWK } from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { IssuerConfig, ProviderKind } from '../../../functions/authorizer/providers/index';

export interface Shape {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export type Role = 'User' | 'Admin';

export interface ProviderFixture {
  kind: ProviderKind;
  issuer: string;
  /** The documented path of the provider's JWKS, served on loopback in tests. */
  jwksPath: string;
  /** The configuration a README reader writes, without `jwksUri` (the test points it at loopback). */
  config: IssuerConfig;
  /** The client named in `access` tokens (the handlers' `clientId` context). */
  client: string;
  /** A user's access token granting `role`, as this provider carries it. */
  access(sub: string, role: Role, now: number): Shape;
  /** Other access tokens of this provider that grant `role` (client credentials, another token profile). */
  alsoAccepted: { name: string; role: Role; shape: (now: number) => Shape }[];
  /** Tokens this provider issues (or that look like them) that the API must refuse, and the logged reason. */
  refused: { name: string; reason: string; shape: (now: number) => Shape }[];
}

const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E';
const AUTH0 = 'https://scopegate.eu.auth0.com/';
const OKTA = 'https://scopegate.okta.com/oauth2/aus1a2b3c4D5e6F7g8h9';
const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const ENTRA = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const KEYCLOAK = 'https://sso.scopegate.example/realms/scopegate';
const OIDC = 'https://idp.scopegate.example';

const API_APP_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const SPA_APP_ID = '2d4d11a2-f814-46a7-890a-274a72a7309e';
const life = (now: number) => ({ iat: now - 10, exp: now + 3600 });

const cognito: ProviderFixture = {
  kind: 'cognito',
  client: '1example23456789',
  issuer: COGNITO,
  jwksPath: '/eu-west-1_Ab12Cd34E/.well-known/jwks.json',
  config: {
    kind: 'cognito',
    issuer: COGNITO,
    clientIds: ['1example23456789', '7m2mclient0example'],
    roleMap: { 'scopegate-api/messages.read': 'User' },
  },
  access: (sub, role, now) => ({
    header: {},
    claims: {
      sub,
      'cognito:groups': [role],
      iss: COGNITO,
      version: 2,
      client_id: '1example23456789',
      origin_jti: 'ab1cd2ef-3456-7890-abcd-ef1234567890',
      event_id: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin phone openid profile email',
      auth_time: now - 20,
      jti: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222',
      username: 'alice',
      ...life(now),
    },
  }),
  alsoAccepted: [
    {
      name: 'a client-credentials access token with a resource-server scope (roleMap)',
      role: 'User',
      shape: (now) => ({
        header: {},
        claims: {
          sub: '7m2mclient0example',
          token_use: 'access',
          scope: 'scopegate-api/messages.read',
          auth_time: now - 20,
          iss: COGNITO,
          version: 2,
          jti: 'b2c3d4e5-6789-01bc-def0-EXAMPLE33333',
          client_id: '7m2mclient0example',
          ...life(now),
        },
      }),
    },
  ],
  refused: [
    {
      name: 'the ID token of the same sign-in',
      reason: 'NOT_AN_ACCESS_TOKEN',
      shape: (now) => ({
        header: {},
        claims: {
          at_hash: 'w9KvOd8mFz2hEXAMPLE',
          sub: 'cognito-user-1',
          'cognito:groups': ['Admin'],
          email_verified: true,
          iss: COGNITO,
          'cognito:username': 'alice',
          origin_jti: 'ab1cd2ef-3456-7890-abcd-ef1234567890',
          aud: '1example23456789',
          event_id: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
          token_use: 'id',
          auth_time: now - 20,
          jti: 'c3d4e5f6-7890-12cd-ef01-EXAMPLE44444',
          email: 'alice@example.com',
          ...life(now),
        },
      }),
    },
    {
      name: 'an access token of another app client',
      reason: 'CLIENT_NOT_ALLOWED',
      shape: (now) => {
        const shape = cognito.access('cognito-user-1', 'Admin', now);
        return { ...shape, claims: { ...shape.claims, client_id: '3otherclient456' } };
      },
    },
  ],
};

const auth0: ProviderFixture = {
  kind: 'auth0',
  client: 'Spa0Client1dExample',
  issuer: AUTH0,
  jwksPath: '/.well-known/jwks.json',
  config: {
    kind: 'auth0',
    issuer: AUTH0,
    audience: 'https://api.scopegate.example',
    roleMap: { 'read:messages': 'User' },
  },
  // Auth0 token profile, RBAC on with "Add Permissions in the Access Token".
  access: (sub, role, now) => ({
    header: { typ: 'JWT' },
    claims: {
      iss: AUTH0,
      sub,
      aud: ['https://api.scopegate.example', `${AUTH0}userinfo`],
      azp: 'Spa0Client1dExample',
      scope: 'openid profile email',
      permissions: [role],
      ...life(now),
    },
  }),
  alsoAccepted: [
    {
      name: 'an RFC 9068 profile access token (typ at+jwt, client_id)',
      role: 'Admin',
      shape: (now) => ({
        header: { typ: 'at+jwt' },
        claims: {
          iss: AUTH0,
          sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
          aud: ['https://api.scopegate.example', `${AUTH0}userinfo`],
          client_id: 'Spa0Client1dExample',
          jti: '73WakrfVbNJBaAmhQtEeDv',
          scope: 'openid profile',
          permissions: ['Admin'],
          ...life(now),
        },
      }),
    },
    {
      name: 'a machine-to-machine access token (gty client-credentials, scope mapped)',
      role: 'User',
      shape: (now) => ({
        header: { typ: 'JWT' },
        claims: {
          iss: AUTH0,
          sub: 'M2m0Client1dExample@clients',
          aud: 'https://api.scopegate.example',
          azp: 'M2m0Client1dExample',
          gty: 'client-credentials',
          scope: 'read:messages',
          ...life(now),
        },
      }),
    },
  ],
  refused: [
    {
      name: 'the ID token (aud is the application client id)',
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      shape: (now) => ({
        header: { typ: 'JWT' },
        claims: {
          iss: AUTH0,
          sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
          aud: 'Spa0Client1dExample',
          nonce: 'n-0S6_WzA2Mj',
          sid: 'mZ2T1k4aEXAMPLE',
          name: 'Alice',
          'https://scopegate.example/roles': ['Admin'],
          ...life(now),
        },
      }),
    },
    {
      name: 'an access token for another API',
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      shape: (now) => {
        const shape = auth0.access('auth0|5f7c8ec7c33c6c004bbafe82', 'Admin', now);
        return {
          ...shape,
          claims: { ...shape.claims, aud: ['https://billing.example', `${AUTH0}userinfo`] },
        };
      },
    },
  ],
};

const okta: ProviderFixture = {
  kind: 'okta',
  client: '0oa1b2c3d4E5f6G7h8i9',
  issuer: OKTA,
  jwksPath: '/oauth2/aus1a2b3c4D5e6F7g8h9/v1/keys',
  config: {
    kind: 'okta',
    issuer: OKTA,
    audience: 'api://scopegate',
    clientIds: ['0oa1b2c3d4E5f6G7h8i9'],
    roleMap: { Everyone: 'User', 'scopegate-admins': 'Admin' },
  },
  access: (sub, role, now) => ({
    header: {},
    claims: {
      ver: 1,
      jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
      iss: OKTA,
      aud: 'api://scopegate',
      cid: '0oa1b2c3d4E5f6G7h8i9',
      uid: '00uid4BxXw6I6TV4m0g3',
      scp: ['openid', 'profile'],
      auth_time: now - 20,
      sub,
      groups: role === 'Admin' ? ['Everyone', 'scopegate-admins'] : ['Everyone'],
      ...life(now),
    },
  }),
  alsoAccepted: [],
  refused: [
    {
      name: 'the ID token (aud is the client id, no cid)',
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      shape: (now) => ({
        header: {},
        claims: {
          sub: '00uid4BxXw6I6TV4m0g3',
          ver: 1,
          iss: OKTA,
          aud: '0oa1b2c3d4E5f6G7h8i9',
          jti: 'ID.4eAWJOCMB3SX8XewDfVR',
          amr: ['pwd'],
          idp: '00ok1u7AsAkrwdZL3z0g3',
          nonce: 'n-0S6_WzA2Mj',
          auth_time: now - 20,
          at_hash: 'preview_at_hash',
          groups: ['Everyone', 'scopegate-admins'],
          ...life(now),
        },
      }),
    },
    {
      name: 'an ID token whose aud names the API (no cid: not an access token)',
      reason: 'NOT_AN_ACCESS_TOKEN',
      shape: (now) => {
        const shape = okta.refused[0]!.shape(now);
        return { ...shape, claims: { ...shape.claims, aud: 'api://scopegate' } };
      },
    },
    {
      name: 'an access token of another client',
      reason: 'CLIENT_NOT_ALLOWED',
      shape: (now) => {
        const shape = okta.access('alice@example.com', 'Admin', now);
        return { ...shape, claims: { ...shape.claims, cid: '0oaOtherClient000000' } };
      },
    },
  ],
};

const entra: ProviderFixture = {
  kind: 'entra',
  client: SPA_APP_ID,
  issuer: ENTRA,
  jwksPath: `/${TENANT}/discovery/v2.0/keys`,
  config: { kind: 'entra', issuer: ENTRA, audience: API_APP_ID },
  // A delegated token: the user's app roles in `roles`, the consented scope in `scp`.
  access: (sub, role, now) => ({
    header: { typ: 'JWT' },
    claims: {
      aud: API_APP_ID,
      iss: ENTRA,
      nbf: now - 10,
      aio: 'AWQAm/8TAAAA',
      azp: SPA_APP_ID,
      azpacr: '0',
      name: 'Alice',
      oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'alice@scopegate.example',
      rh: '0.ARoAv4j5cvGGr0',
      roles: role === 'Admin' ? ['Admin'] : [],
      scp: 'User',
      sub,
      tid: TENANT,
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
      ...life(now),
    },
  }),
  alsoAccepted: [
    {
      name: 'an application token (client credentials: app roles, no scp)',
      role: 'User',
      shape: (now) => ({
        header: { typ: 'JWT' },
        claims: {
          aud: API_APP_ID,
          iss: ENTRA,
          nbf: now - 10,
          azp: 'b0a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
          azpacr: '1',
          oid: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
          roles: ['User'],
          sub: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
          tid: TENANT,
          uti: 'gqiBqXLPj0eQa82S-IYFBB',
          ver: '2.0',
          ...life(now),
        },
      }),
    },
  ],
  refused: [
    {
      name: "the ID token of the client app (aud is the client's id)",
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      shape: (now) => ({
        header: { typ: 'JWT' },
        claims: {
          aud: SPA_APP_ID,
          iss: ENTRA,
          nbf: now - 10,
          aio: 'AWQAm/8TAAAA',
          name: 'Alice',
          nonce: 'n-0S6_WzA2Mj',
          oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
          preferred_username: 'alice@scopegate.example',
          rh: '0.ARoAv4j5cvGGr0',
          roles: ['Admin'],
          sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
          tid: TENANT,
          uti: 'fqiBqXLPj0eQa82S-IYFAA',
          ver: '2.0',
          ...life(now),
        },
      }),
    },
    {
      name: 'an ID token of an app registered as its own API (aud matches, no azp)',
      reason: 'NOT_AN_ACCESS_TOKEN',
      shape: (now) => {
        const shape = entra.refused[0]!.shape(now);
        return { ...shape, claims: { ...shape.claims, aud: API_APP_ID } };
      },
    },
    {
      name: 'a v1.0 access token',
      reason: 'UNSUPPORTED_TOKEN_VERSION',
      shape: (now) => {
        const shape = entra.access('AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ', 'Admin', now);
        return { ...shape, claims: { ...shape.claims, ver: '1.0' } };
      },
    },
  ],
};

const keycloakAccess = (sub: string, roles: string[], now: number): Shape => ({
  header: { typ: 'JWT' },
  claims: {
    ...life(now),
    auth_time: now - 20,
    jti: 'onrtac:9b8f7e6d-5c4b-4a39-8271-605f4e3d2c1b',
    iss: KEYCLOAK,
    aud: ['scopegate-api', 'account'],
    sub,
    typ: 'Bearer',
    azp: 'scopegate-web',
    sid: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b',
    'allowed-origins': ['https://app.scopegate.example'],
    realm_access: { roles: ['default-roles-scopegate', 'offline_access', 'uma_authorization', ...roles] },
    resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
    scope: 'openid email profile',
    email_verified: true,
    preferred_username: 'alice',
  },
});

const keycloak: ProviderFixture = {
  kind: 'keycloak',
  client: 'scopegate-web',
  issuer: KEYCLOAK,
  jwksPath: '/realms/scopegate/protocol/openid-connect/certs',
  config: { kind: 'keycloak', issuer: KEYCLOAK, audience: 'scopegate-api' },
  access: (sub, role, now) => keycloakAccess(sub, [role], now),
  alsoAccepted: [],
  refused: [
    {
      name: 'the ID token, even with the API added to its aud (typ ID)',
      reason: 'NOT_AN_ACCESS_TOKEN',
      shape: (now) => {
        const { claims } = keycloakAccess('f4a5b6c7-d8e9-4f0a-8b1c-2d3e4f5a6b7c', ['Admin'], now);
        return {
          header: { typ: 'JWT' },
          claims: {
            ...claims,
            aud: ['scopegate-web', 'scopegate-api'],
            typ: 'ID',
            nonce: 'n-0S6_WzA2Mj',
            at_hash: 'YQpQmFd0Z4EXAMPLE',
          },
        };
      },
    },
    {
      name: 'a refresh token (typ Refresh), signed like the access tokens',
      reason: 'NOT_AN_ACCESS_TOKEN',
      shape: (now) => ({
        header: { typ: 'JWT' },
        claims: {
          ...life(now),
          jti: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
          iss: KEYCLOAK,
          // Refresh tokens name the realm; here also the API, to show typ alone decides.
          aud: [KEYCLOAK, 'scopegate-api'],
          sub: 'f4a5b6c7-d8e9-4f0a-8b1c-2d3e4f5a6b7c',
          typ: 'Refresh',
          azp: 'scopegate-web',
          sid: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b',
          scope: 'openid email profile',
          realm_access: { roles: ['Admin'] },
        },
      }),
    },
    {
      name: 'an access token without the API in aud',
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      shape: (now) => {
        const shape = keycloakAccess('f4a5b6c7-d8e9-4f0a-8b1c-2d3e4f5a6b7c', ['Admin'], now);
        return { ...shape, claims: { ...shape.claims, aud: 'account' } };
      },
    },
  ],
};

const oidc: ProviderFixture = {
  kind: 'oidc',
  client: 'web',
  issuer: OIDC,
  jwksPath: '/oauth/jwks',
  config: { kind: 'oidc', issuer: OIDC, audience: 'https://api.scopegate.example', typ: 'at+jwt' },
  // RFC 9068: typ at+jwt, client_id, jti, scope.
  access: (sub, role, now) => ({
    header: { typ: 'at+jwt' },
    claims: {
      iss: OIDC,
      sub,
      aud: 'https://api.scopegate.example',
      client_id: 'web',
      jti: 'dbe39bf3a3ba4238a513f51d6e1691c4',
      scope: `openid ${role}`,
      ...life(now),
    },
  }),
  alsoAccepted: [],
  refused: [
    {
      name: 'an ID token for the API audience (typ JWT, not at+jwt)',
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      shape: (now) => ({
        header: { typ: 'JWT' },
        claims: {
          iss: OIDC,
          sub: 'oidc-user-1',
          aud: 'https://api.scopegate.example',
          nonce: 'n-0S6_WzA2Mj',
          scope: 'Admin',
          ...life(now),
        },
      }),
    },
  ],
};

export const PROVIDERS: readonly ProviderFixture[] = [cognito, auth0, okta, entra, keycloak, oidc];

/** A token of `shape` signed RS256 with `key`; the shape's header is kept (kid and alg added). */
export function signShape(shape: Shape, key: { privateKey: CryptoKey; kid: string }): Promise<string> {
  return new SignJWT(shape.claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, ...shape.header })
    .sign(key.privateKey);
}

export interface RsaKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function rsaKey(kid: string): Promise<RsaKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export interface IdpServer {
  url: string;
  /** Paths fetched, in order. */
  hits: string[];
  /** Publishes `keys` at `path`. */
  publish(path: string, keys: RsaKey[]): void;
  close(): Promise<void>;
}

/** The providers' JWKS endpoints on 127.0.0.1, one path each. */
export async function startIdpServer(): Promise<IdpServer> {
  const sets = new Map<string, string>();
  const hits: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    hits.push(path);
    const body = sets.get(path);
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    publish: (path, keys) => sets.set(path, JSON.stringify({ keys: keys.map((key) => key.publicJwk) })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The fixtures' configurations with each JWKS served by `idp`. */
export function configsOn(idp: IdpServer): IssuerConfig[] {
  return PROVIDERS.map((provider) => ({ ...provider.config, jwksUri: `${idp.url}${provider.jwksPath}` }));
}
