import { expect } from 'chai';
import { CompactEncrypt, generateKeyPair } from 'jose';
import { createAuthorizer } from '../../../functions/authorizer/authorizer';
import { createJsonLogger } from '../../../functions/authorizer/logger';
import type { AuthorizerResult } from '../../../policies/model';
import { join } from 'node:path';
import { loadModel, methodArn, tokenEvent } from './harness';
import type { IdpServer, ProviderFixture, RsaKey, Shape } from './provider-shapes';
import { configsOn, PROVIDERS, rsaKey, signShape, startIdpServer } from './provider-shapes';
import { evaluate } from './simulate';
import { logSink, NOW_MS, NOW_S } from './support';

const model = loadModel();
/** Sample requests; `{sub}` is the caller's own `sub` (scopes.yaml binds `GET /users/{userId=sub}` for User). */
const ROUTES: [string, string][] = [
  ['GET', '/messages'],
  ['DELETE', '/messages/m-1'],
  ['GET', '/users'],
  ['GET', '/users/{sub}'],
  ['GET', '/users/someone-else'],
];
/** What scopes.yaml grants each role on ROUTES. */
const GRANTED = {
  User: ['GET /messages', 'GET /users/{sub}'],
  Admin: [
    'GET /messages',
    'DELETE /messages/m-1',
    'GET /users',
    'GET /users/{sub}',
    'GET /users/someone-else',
  ],
};

describe('createAuthorizer with every provider kind at once', () => {
  let idp: IdpServer;
  const keys = new Map<string, RsaKey>();
  const logs = logSink();
  let authorizer: ReturnType<typeof createAuthorizer>;

  before(async () => {
    idp = await startIdpServer();
    for (const provider of PROVIDERS) {
      const key = await rsaKey(`${provider.kind}-key-1`);
      keys.set(provider.kind, key);
      idp.publish(provider.jwksPath, [key]);
    }
    authorizer = createAuthorizer({
      model,
      issuers: configsOn(idp),
      now: () => NOW_MS,
      cacheSize: 0,
      jwksCooldownMs: 100,
      logger: createJsonLogger(logs.sink),
    });
  });
  after(() => idp.close());

  const signed = (provider: ProviderFixture, shape: Shape) => signShape(shape, keys.get(provider.kind)!);
  const lastReason = () => logs.parsed().at(-1)?.reason;

  /** The routes of ROUTES this token's policy allows, evaluated with IAM semantics. */
  async function allowed(token: string): Promise<string[]> {
    const result: AuthorizerResult = await authorizer.handleToken(tokenEvent(`Bearer ${token}`));
    const out: string[] = [];
    for (const [method, path] of ROUTES) {
      const arn = methodArn(method, path.replace('{sub}', result.principalId));
      if ((await evaluate(result.policyDocument, arn)) === 'Allowed') out.push(`${method} ${path}`);
    }
    return out;
  }

  async function refusal(token: string): Promise<string> {
    const error: unknown = await authorizer.handleToken(tokenEvent(`Bearer ${token}`)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(Error).with.property('message', 'Unauthorized');
    return String(lastReason());
  }

  for (const provider of PROVIDERS) {
    describe(provider.kind, () => {
      for (const role of ['User', 'Admin'] as const) {
        it(`decides routes as scopes.yaml says for a ${role}'s access token`, async () => {
          const token = await signed(provider, provider.access(`${provider.kind}-${role}`, role, NOW_S));
          expect(await allowed(token)).to.deep.equal(GRANTED[role]);
          expect(lastReason()).to.equal('OK');
        });
      }

      it("gives the handlers the token's client as clientId", async () => {
        const token = await signed(provider, provider.access(`${provider.kind}-User`, 'User', NOW_S));
        const result = await authorizer.handleToken(tokenEvent(`Bearer ${token}`));
        expect(result.context).to.include({ sub: `${provider.kind}-User`, clientId: provider.client });
      });

      for (const accepted of provider.alsoAccepted) {
        it(`accepts ${accepted.name}`, async () => {
          expect(await allowed(await signed(provider, accepted.shape(NOW_S)))).to.deep.equal(
            GRANTED[accepted.role],
          );
        });
      }

      for (const refused of provider.refused) {
        it(`answers 401 for ${refused.name}`, async () => {
          expect(await refusal(await signed(provider, refused.shape(NOW_S)))).to.equal(refused.reason);
        });
      }

      it('answers 401 for an access token naming another issuer', async () => {
        const shape = provider.access('someone', 'Admin', NOW_S);
        const elsewhere = provider.issuer.replace(/^https:\/\/[^/]+/, 'https://evil.example');
        const token = await signed(provider, { ...shape, claims: { ...shape.claims, iss: elsewhere } });
        expect(await refusal(token)).to.equal('UNKNOWN_ISSUER');
      });

      it("answers 401 for an access token signed by another provider's key", async () => {
        const other = PROVIDERS.find((candidate) => candidate !== provider)!;
        const stranger = keys.get(other.kind)!;
        const token = await signShape(provider.access('someone', 'Admin', NOW_S), {
          ...stranger,
          kid: keys.get(provider.kind)!.kid,
        });
        expect(await refusal(token)).to.equal('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      });

      it('accepts a token signed by a key published a moment ago, on its first use', async () => {
        const current = keys.get(provider.kind)!;
        expect(await allowed(await signed(provider, provider.access('u', 'User', NOW_S)))).to.deep.equal(
          GRANTED.User,
        );
        const rotated = await rsaKey(`${provider.kind}-key-2`);
        idp.publish(provider.jwksPath, [current, rotated]);
        const fetched = idp.hits.filter((hit) => hit.endsWith(provider.jwksPath)).length;
        const token = await signShape(provider.access('u', 'Admin', NOW_S), rotated);
        expect(await allowed(token)).to.deep.equal(GRANTED.Admin);
        expect(idp.hits.filter((hit) => hit.endsWith(provider.jwksPath))).to.have.length(fetched + 1);
      });
    });
  }

  it('refuses a Cognito refresh token (an encrypted JWE) before any key lookup', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP');
    const jwe = await new CompactEncrypt(new TextEncoder().encode('opaque refresh token'))
      .setProtectedHeader({ cty: 'JWT', enc: 'A256GCM', alg: 'RSA-OAEP' })
      .encrypt(publicKey);
    expect(jwe.split('.')).to.have.length(5);
    expect(await refusal(jwe)).to.equal('MALFORMED');
  });
});

describe("createAuthorizer with a provider's keys given inline (offline mode)", () => {
  it('verifies its access tokens and refuses its ID tokens with the configured keys', async () => {
    const [cognito] = PROVIDERS;
    const key = await rsaKey('inline-1');
    const authorizer = createAuthorizer({
      model,
      issuers: [{ ...cognito!.config, jwks: { keys: [key.publicJwk] } }],
      now: () => NOW_MS,
      logger: createJsonLogger(() => undefined),
    });
    const access = await signShape(cognito!.access('u-1', 'Admin', NOW_S), key);
    const result = await authorizer.handleToken(tokenEvent(`Bearer ${access}`, 'DELETE', '/messages/m-1'));
    expect(await evaluate(result.policyDocument, methodArn('DELETE', '/messages/m-1'))).to.equal('Allowed');
    const id = await signShape(cognito!.refused[0]!.shape(NOW_S), key);
    const error: unknown = await authorizer.handleToken(tokenEvent(`Bearer ${id}`)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error).with.property('message', 'Unauthorized');
  });
});

describe('createAuthorizer with Cognito resource-server scopes as role names', () => {
  it("grants a client-credentials token's scope as the role of the same name", async () => {
    const [cognito] = PROVIDERS;
    const key = await rsaKey('rs-1');
    const authorizer = createAuthorizer({
      model: loadModel(join(__dirname, '../../fixtures/authorizer/scopes-resource-server.yaml')),
      // No roleMap: the scope names the role itself.
      issuers: [
        {
          kind: 'cognito',
          issuer: cognito!.issuer,
          clientIds: ['7m2mclient0example'],
          jwks: { keys: [key.publicJwk] },
        },
      ],
      now: () => NOW_MS,
      logger: createJsonLogger(() => undefined),
    });
    const decide = async (scope: string) => {
      const shape = cognito!.alsoAccepted[0]!.shape(NOW_S);
      const token = await signShape({ ...shape, claims: { ...shape.claims, scope } }, key);
      const result = await authorizer.handleToken(tokenEvent(`Bearer ${token}`));
      const out: string[] = [];
      for (const [method, path] of [
        ['GET', '/messages'],
        ['POST', '/messages'],
        ['DELETE', '/messages/m-1'],
      ] as const) {
        if ((await evaluate(result.policyDocument, methodArn(method, path))) === 'Allowed') out.push(method);
      }
      return { roles: result.context.roles, allowed: out };
    };
    expect(await decide('scopegate-api/messages.read')).to.deep.equal({
      roles: 'scopegate-api/messages.read',
      allowed: ['GET'],
    });
    expect(await decide('scopegate-api/messages.write')).to.deep.equal({
      roles: 'scopegate-api/messages.write',
      allowed: ['GET', 'POST', 'DELETE'],
    });
    expect(await decide('other-api/messages.write')).to.deep.equal({ roles: '', allowed: [] });
  });
});
