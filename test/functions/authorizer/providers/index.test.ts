import { expect } from 'chai';
import {
  parseIdentityProviders,
  resolveIssuer,
  type IssuerConfig,
} from '../../../../functions/authorizer/providers/index';

const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E';
const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

const resolved = (config: Record<string, unknown>) => resolveIssuer(config, 'identityProviders[0]', false);
const problem = (config: unknown) => {
  try {
    resolveIssuer(config, 'identityProviders[0]', false);
  } catch (error) {
    expect(error).to.be.instanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('expected a TypeError');
};

describe('resolveIssuer', () => {
  it("applies each kind's documented JWKS location, roles claims and RS256", () => {
    const cases: [Record<string, unknown>, string, string[]][] = [
      [
        { kind: 'cognito', issuer: COGNITO, clientIds: ['abc'] },
        `${COGNITO}/.well-known/jwks.json`,
        ['cognito:groups', 'scope'],
      ],
      [
        { kind: 'auth0', issuer: 'https://tenant.eu.auth0.com/', audience: 'https://api' },
        'https://tenant.eu.auth0.com/.well-known/jwks.json',
        ['permissions', 'scope'],
      ],
      [
        { kind: 'okta', issuer: 'https://org.okta.com/oauth2/default', audience: 'api://default' },
        'https://org.okta.com/oauth2/default/v1/keys',
        ['scp', 'groups'],
      ],
      [
        { kind: 'entra', issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, audience: 'app-id' },
        `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
        ['roles', 'scp'],
      ],
      [
        { kind: 'keycloak', issuer: 'https://sso.example.com/realms/demo', audience: 'api' },
        'https://sso.example.com/realms/demo/protocol/openid-connect/certs',
        ['realm_access.roles', 'scope'],
      ],
      [
        { kind: 'keycloak', issuer: 'http://localhost:8080/auth/realms/demo', audience: 'api' },
        'http://localhost:8080/auth/realms/demo/protocol/openid-connect/certs',
        ['realm_access.roles', 'scope'],
      ],
    ];
    for (const [config, jwksUri, rolesClaims] of cases) {
      const trusted = resolved(config);
      expect(trusted.jwksUri, String(config.kind)).to.equal(jwksUri);
      expect(trusted.rolesClaims).to.deep.equal(rolesClaims);
      expect(trusted.algorithms).to.deep.equal(['RS256']);
      expect(trusted.checkState).to.equal(false);
    }
  });

  it('keeps what is configured: jwksUri, inline jwks, rolesClaims, roleMap, algorithms, one audience', () => {
    const trusted = resolved({
      kind: 'okta',
      issuer: 'https://org.okta.com/oauth2/default',
      audience: 'api://default',
      jwksUri: 'https://keys.example.com/jwks',
      rolesClaims: ['groups'],
      roleMap: { 'api-admins': 'Admin' },
      algorithms: ['RS256', 'ES256'],
    });
    expect(trusted).to.include({ jwksUri: 'https://keys.example.com/jwks', jwks: undefined });
    expect(trusted.audience).to.deep.equal(['api://default']);
    expect(trusted.rolesClaims).to.deep.equal(['groups']);
    expect([...trusted.roleMap!]).to.deep.equal([['api-admins', 'Admin']]);
    expect(trusted.algorithms).to.deep.equal(['RS256', 'ES256']);
    const offline = resolved({ kind: 'cognito', issuer: COGNITO, clientIds: ['abc'], jwks: { keys: [] } });
    expect(offline).to.include({ jwksUri: undefined });
    expect(offline.jwks).to.deep.equal({ keys: [] });
  });

  it("refuses an issuer that does not have its kind's documented shape", () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        {
          kind: 'cognito',
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_Ab12',
          clientIds: ['a'],
        },
        'identityProviders[0].issuer: "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_Ab12" is not an issuer of kind "cognito". Expected https://cognito-idp.<region>.amazonaws.com/<userPoolId>',
      ],
      [
        { kind: 'auth0', issuer: 'https://tenant.eu.auth0.com', audience: 'a' },
        'identityProviders[0].issuer: "https://tenant.eu.auth0.com" is not an issuer of kind "auth0". Expected https://<tenant domain>/ (with the trailing slash)',
      ],
      [
        { kind: 'okta', issuer: 'https://org.okta.com', audience: 'a' },
        'identityProviders[0].issuer: "https://org.okta.com" is not an issuer of kind "okta". Expected https://<org domain>/oauth2/<authorizationServerId> (a custom authorization server)',
      ],
      [
        { kind: 'entra', issuer: `https://sts.windows.net/${TENANT}/`, audience: 'a' },
        `identityProviders[0].issuer: "https://sts.windows.net/${TENANT}/" is not an issuer of kind "entra". Expected https://login.microsoftonline.com/<tenantId>/v2.0`,
      ],
      [
        { kind: 'keycloak', issuer: 'https://sso.example.com/auth', audience: 'a' },
        'identityProviders[0].issuer: "https://sso.example.com/auth" is not an issuer of kind "keycloak". Expected https://<host>/realms/<realm>',
      ],
      [
        {
          kind: 'oidc',
          issuer: 'http://idp.example.com',
          audience: 'a',
          jwksUri: 'https://idp.example.com/jwks',
        },
        'identityProviders[0].issuer: "http://idp.example.com" is not an https URL (http only on a loopback host)',
      ],
    ];
    for (const [config, message] of cases) expect(problem(config)).to.equal(message);
  });

  it('refuses what would let an ID token or another client through', () => {
    expect(problem({ kind: 'cognito', issuer: COGNITO })).to.equal(
      'identityProviders[0].clientIds: is required for kind "cognito" (the app client ids whose access tokens are accepted)',
    );
    expect(problem({ kind: 'cognito', issuer: COGNITO, audience: 'abc', clientIds: ['abc'] })).to.equal(
      'identityProviders[0].audience: cognito access tokens carry no "aud". Set clientIds to the app client ids instead',
    );
    expect(problem({ kind: 'auth0', issuer: 'https://t.auth0.com/' })).to.equal(
      'identityProviders[0].audience: is required for kind "auth0" (the identifier of this API in the tokens\' "aud")',
    );
    expect(
      problem({
        kind: 'okta',
        issuer: 'https://o.okta.com/oauth2/default',
        audience: ['api', 'spa'],
        clientIds: ['spa'],
      }),
    ).to.equal(
      'identityProviders[0].audience: "spa" is also in clientIds. The audience names this API, never a client',
    );
  });

  it('refuses unknown settings, checkState, a missing or unknown kind, and malformed values', () => {
    const base = { kind: 'auth0', issuer: 'https://t.auth0.com/', audience: 'api' };
    const cases: [unknown, string][] = [
      ['nope', 'identityProviders[0]: is not an object'],
      [
        { ...base, clientId: 'x' },
        'identityProviders[0].clientId: is not a setting. Expected one of: kind, issuer, audience, clientIds, jwksUri, jwks, algorithms, rolesClaims, roleMap, typ',
      ],
      [
        { ...base, checkState: true },
        'identityProviders[0].checkState: is not a setting. Expected one of: kind, issuer, audience, clientIds, jwksUri, jwks, algorithms, rolesClaims, roleMap, typ',
      ],
      [
        { issuer: base.issuer, audience: 'api' },
        'identityProviders[0].kind: is required. Expected one of: cognito, auth0, okta, entra, keycloak, oidc',
      ],
      [
        { ...base, kind: 'ping' },
        'identityProviders[0].kind: "ping" is not allowed. Expected one of: cognito, auth0, okta, entra, keycloak, oidc',
      ],
      [{ ...base, issuer: 42 }, 'identityProviders[0].issuer: is required (the tokens\' "iss")'],
      [
        { ...base, audience: ['api', ''] },
        'identityProviders[0].audience: is not a non-empty list of non-empty strings (or one string)',
      ],
      [
        { ...base, clientIds: 'spa' },
        'identityProviders[0].clientIds: is not a non-empty list of non-empty strings',
      ],
      [
        { ...base, algorithms: ['HS256'] },
        'identityProviders[0].algorithms: "HS256" is not allowed. Expected one of: EdDSA, Ed25519, ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512',
      ],
      [
        { ...base, rolesClaims: [] },
        'identityProviders[0].rolesClaims: is not a non-empty list of non-empty strings',
      ],
      [
        { ...base, roleMap: { a: 1 } },
        'identityProviders[0].roleMap: is not an object of strings ({"<provider value>": "<role>"})',
      ],
      [
        { ...base, jwks: { keys: 'x' } },
        'identityProviders[0].jwks: is not a JSON Web Key Set ({"keys": [...]})',
      ],
      [
        { ...base, jwks: { keys: [] }, jwksUri: 'https://x/jwks' },
        'identityProviders[0].jwks: set "jwks" or "jwksUri", not both',
      ],
      [
        { ...base, jwksUri: 'http://keys.example.com/jwks' },
        'identityProviders[0].jwksUri: "http://keys.example.com/jwks" is not an https URL (http only on a loopback host)',
      ],
      [
        { kind: 'oidc', issuer: 'https://idp.example.com', audience: 'api' },
        'identityProviders[0].jwksUri: is required for kind "oidc" (or give the keys inline in "jwks")',
      ],
      [{ ...base, typ: '' }, 'identityProviders[0].typ: is not a non-empty string (e.g. "at+jwt")'],
    ];
    for (const [config, message] of cases) expect(problem(config), message).to.equal(message);
  });
});

describe('parseIdentityProviders', () => {
  const cognito: IssuerConfig = { kind: 'cognito', issuer: COGNITO, clientIds: ['abc'] };

  it('returns the validated list as given, and an empty list for []', () => {
    expect(parseIdentityProviders(JSON.stringify([cognito]), 'IDENTITY_PROVIDERS')).to.deep.equal([cognito]);
    expect(parseIdentityProviders('[]', 'IDENTITY_PROVIDERS')).to.deep.equal([]);
  });

  it('names the variable and the entry in every message', () => {
    expect(() => parseIdentityProviders('[{', 'IDENTITY_PROVIDERS')).to.throw(
      TypeError,
      'IDENTITY_PROVIDERS: is not valid JSON (a list of provider objects)',
    );
    expect(() => parseIdentityProviders('{}', 'IDENTITY_PROVIDERS')).to.throw(
      TypeError,
      'IDENTITY_PROVIDERS: is not a JSON list of provider objects',
    );
    expect(() =>
      parseIdentityProviders(JSON.stringify([cognito, { ...cognito, clientIds: [] }]), 'IDENTITY_PROVIDERS'),
    ).to.throw(TypeError, 'IDENTITY_PROVIDERS[1].clientIds: is not a non-empty list of non-empty strings');
    expect(() => parseIdentityProviders(JSON.stringify([cognito, cognito]), 'IDENTITY_PROVIDERS')).to.throw(
      TypeError,
      `IDENTITY_PROVIDERS[1].issuer: "${COGNITO}" is configured twice`,
    );
  });
});
