import { expect } from 'chai';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { checkTokenState } from '../../../functions/authorizer/token-state';
import { sessionKey } from '../../../functions/lib/token-table';
import type { Harness } from './harness';
import {
  AUDIENCE,
  BACKEND_SECRET,
  basic,
  event,
  ISSUER,
  json,
  PASSWORD,
  START_MS,
  startHarness,
} from './harness';

describe('createTokenService', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin'])
      expect((await h.signUp(name)).statusCode).to.equal(201);
  });
  after(() => h.close());
  beforeEach(() => {
    h.clock.ms = START_MS;
  });

  const publishedKeys = async (): Promise<JSONWebKeySet> =>
    JSON.parse(
      (await h.handle(event('/.well-known/jwks.json', null, { method: 'GET' }))).body,
    ) as JSONWebKeySet;
  const verify = async (token: string): Promise<JWTPayload> =>
    (
      await jwtVerify(token, createLocalJWKSet(await publishedKeys()), {
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: 'at+jwt',
        currentDate: new Date(h.clock.ms),
      })
    ).payload;
  const refresh = (token: string) =>
    h.token({ grant_type: 'refresh_token', client_id: 'web', refresh_token: token });
  const state = (token: string) =>
    checkTokenState(h.dynamo.documents, h.table, decodeJwt(token), Math.floor(h.clock.ms / 1000)).then(
      (checked) => checked.verdict,
    );

  describe('the password grant', () => {
    it('issues an EdDSA at+jwt access token with every agreed claim and an opaque refresh token', async () => {
      const response = await h.token({
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: PASSWORD,
      });
      expect(response.statusCode).to.equal(200);
      expect(response.headers).to.include({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
      const body = json(response);
      expect(body).to.include({ token_type: 'Bearer', expires_in: 900, scope: 'User' });
      expect(body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/);
      const token = body.access_token as string;
      expect(decodeProtectedHeader(token)).to.deep.equal({ alg: 'EdDSA', kid: 'ed-2026', typ: 'at+jwt' });
      const claims = await verify(token);
      expect(claims).to.include({
        iss: ISSUER,
        aud: AUDIENCE,
        scope: 'User',
        client_id: 'web',
        iat: START_MS / 1000,
      });
      expect(claims.exp! - claims.iat!).to.equal(900);
      expect(claims.sub).to.match(/^[0-9a-f-]{36}$/);
      expect(claims.sid).to.be.a('string');
      expect(claims.jti).to.be.a('string');
      expect(await state(token)).to.equal('OK');
    });

    it('stores the refresh token only as a hash', async () => {
      const body = await h.login('alice');
      const items = JSON.stringify(await h.items());
      expect(items).not.to.contain(body.refresh_token);
      expect(items).not.to.contain(PASSWORD);
    });

    it('gives each login a fresh jti and session', async () => {
      const [a, b] = [await h.login('alice'), await h.login('alice')];
      expect(decodeJwt(a.access_token as string).jti).not.to.equal(decodeJwt(b.access_token as string).jti);
      expect(decodeJwt(a.access_token as string).sid).not.to.equal(decodeJwt(b.access_token as string).sid);
    });

    it('accepts the user name in any case', async () => {
      expect((await h.login('ALICE')).scope).to.equal('User');
    });

    it('honours a configured access-token lifetime', async () => {
      const service = h.make({ accessTokenTtl: 60 });
      const response = await service.handle(
        event('/auth/token', `grant_type=password&client_id=web&username=alice&password=${PASSWORD}`),
      );
      const claims = decodeJwt(json(response).access_token as string);
      expect(json(response).expires_in).to.equal(60);
      expect(claims.exp! - claims.iat!).to.equal(60);
    });
  });

  describe('the refresh_token grant', () => {
    it('rotates the refresh token on every use and keeps the session', async () => {
      const first = await h.login('bob');
      const second = json(await refresh(first.refresh_token as string));
      expect(second.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(second.refresh_token).not.to.equal(first.refresh_token);
      const third = await refresh(second.refresh_token as string);
      expect(third.statusCode).to.equal(200);
      expect(third.headers).to.include({ 'Cache-Control': 'no-store' });
      const claims = await verify(json(third).access_token as string);
      expect(claims.sid).to.equal(decodeJwt(first.access_token as string).sid);
      expect(claims.scope).to.equal('User');
    });

    it('revokes the whole family when a rotated token is presented again (reuse detection)', async () => {
      const first = await h.login('bob');
      const second = json(await refresh(first.refresh_token as string));
      const reused = await refresh(first.refresh_token as string);
      expect(reused.statusCode).to.equal(400);
      expect(json(reused)).to.deep.equal({
        error: 'invalid_grant',
        error_description: 'the refresh token is invalid, expired or revoked',
      });
      expect((await refresh(second.refresh_token as string)).statusCode).to.equal(400);
      expect(await state(second.access_token as string)).to.equal('SESSION_REVOKED');
      expect(h.logs.some((line) => line.includes('refresh token reuse detected'))).to.equal(true);
    });

    it('lets exactly one of two concurrent refreshes of one token win', async () => {
      for (let round = 0; round < 5; round += 1) {
        const { refresh_token } = await h.login('carol');
        const results = await Promise.all([
          refresh(refresh_token as string),
          refresh(refresh_token as string),
        ]);
        expect(results.map((r) => r.statusCode).sort()).to.deep.equal([200, 400]);
        const winner = results.find((r) => r.statusCode === 200)!;
        // The winner's token still works: the loser did not revoke the family.
        expect((await refresh(json(winner).refresh_token as string)).statusCode).to.equal(200);
      }
    });

    it('refuses a family idle for longer than the idle lifetime', async () => {
      const service = h.make({ refreshIdleTtl: 3600 });
      const login = json(
        await service.handle(
          event('/auth/token', `grant_type=password&client_id=web&username=dave&password=${PASSWORD}`),
        ),
      );
      h.clock.ms += 3599_000;
      const next = json(
        await service.handle(
          event(
            '/auth/token',
            `grant_type=refresh_token&client_id=web&refresh_token=${login.refresh_token as string}`,
          ),
        ),
      );
      expect(next.refresh_token).to.be.a('string');
      h.clock.ms += 3600_000;
      const idle = await service.handle(
        event(
          '/auth/token',
          `grant_type=refresh_token&client_id=web&refresh_token=${next.refresh_token as string}`,
        ),
      );
      expect(json(idle).error).to.equal('invalid_grant');
    });

    it('refuses a family past its absolute lifetime, however recently it was used', async () => {
      let token = (await h.login('dave')).refresh_token as string;
      for (let day = 0; day < 30; day += 1) {
        h.clock.ms += 86_400_000 + 1000;
        const response = await refresh(token);
        if (day < 29) {
          expect(response.statusCode, `day ${day}`).to.equal(200);
          token = json(response).refresh_token as string;
        } else {
          expect(json(response).error).to.equal('invalid_grant');
        }
      }
    });

    it('narrows the scope to roles the user still holds and to the asked scope', async () => {
      const admin = await h.signUp('frank');
      const sub = json(admin).sub as string;
      await h.dynamo.documents.send(
        new (await import('@aws-sdk/lib-dynamodb')).UpdateCommand({
          TableName: h.table,
          Key: { pk: `USER#${sub}`, sk: 'USER' },
          UpdateExpression: 'SET #roles = :roles',
          ExpressionAttributeNames: { '#roles': 'roles' },
          ExpressionAttributeValues: { ':roles': ['Admin'] },
        }),
      );
      const login = await h.login('frank');
      // With the role Admin inherits, so outside resource servers need not know the inheritance.
      expect(login.scope).to.equal('User Admin');
      const down = json(
        await h.token({
          grant_type: 'refresh_token',
          client_id: 'web',
          refresh_token: login.refresh_token as string,
          scope: 'User',
        }),
      );
      expect(down.scope).to.equal('User');
      // The family keeps its original grant: a later refresh may ask for all of it again.
      const back = json(await refresh(down.refresh_token as string));
      expect(back.scope).to.equal('User Admin');
    });

    it('refuses a refresh token presented by another client', async () => {
      const { refresh_token } = await h.login('alice');
      const response = await h.token(
        { grant_type: 'refresh_token', refresh_token: refresh_token as string },
        { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
      );
      expect(json(response).error).to.equal('unauthorized_client');
      const stolen = await h.handle(
        event(
          '/auth/token',
          `grant_type=refresh_token&client_id=other&refresh_token=${refresh_token as string}`,
        ),
      );
      expect(json(stolen).error).to.equal('invalid_client');
    });
  });

  describe('the client_credentials grant', () => {
    it('issues a token without session or refresh token to a confidential client (HTTP Basic)', async () => {
      const response = await h.token(
        { grant_type: 'client_credentials' },
        { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
      );
      expect(response.statusCode).to.equal(200);
      const body = json(response);
      expect(body).not.to.have.property('refresh_token');
      expect(body.scope).to.equal('User Admin');
      const claims = await verify(body.access_token as string);
      expect(claims).to.include({ sub: 'backend', client_id: 'backend', scope: 'User Admin' });
      expect(claims).not.to.have.property('sid');
      expect(await state(body.access_token as string)).to.equal('OK');
    });

    it('accepts client_secret_post and narrows to an asked role the client holds by inheritance', async () => {
      const response = await h.token({
        grant_type: 'client_credentials',
        client_id: 'backend',
        client_secret: BACKEND_SECRET,
        scope: 'User',
      });
      expect(json(response).scope).to.equal('User');
    });
  });

  describe('revocation as the authorizer sees it', () => {
    it('ends a session revoked through its refresh token', async () => {
      const login = await h.login('erin');
      expect(
        (await h.revoke({ token: login.refresh_token as string, client_id: 'web' })).statusCode,
      ).to.equal(200);
      expect(await state(login.access_token as string)).to.equal('SESSION_REVOKED');
      expect(json(await refresh(login.refresh_token as string)).error).to.equal('invalid_grant');
    });

    it('blocks a revoked access token by its jti until it expires', async () => {
      const login = await h.login('erin');
      const response = await h.revoke({
        token: login.access_token as string,
        token_type_hint: 'access_token',
        client_id: 'web',
      });
      expect(response.statusCode).to.equal(200);
      expect(await state(login.access_token as string)).to.equal('TOKEN_REVOKED');
      const { jti, exp } = decodeJwt(login.access_token as string);
      const { Item } = await h.dynamo.documents.send(
        new GetCommand({ TableName: h.table, Key: { pk: `REVOKED#${jti}`, sk: 'REVOKED' } }),
      );
      expect(Item).to.deep.include({ jti, expiresAt: exp });
      // The session itself lives on.
      const session = await h.dynamo.documents.send(
        new GetCommand({
          TableName: h.table,
          Key: sessionKey(decodeJwt(login.access_token as string).sid as string),
        }),
      );
      expect(session.Item?.revoked).to.equal(false);
    });

    it('refuses a disabled user at the next refresh and at the authorizer', async () => {
      const created = json(await h.signUp('gina'));
      const login = await h.login('gina');
      await h.dynamo.documents.send(
        new (await import('@aws-sdk/lib-dynamodb')).UpdateCommand({
          TableName: h.table,
          Key: { pk: `USER#${created.sub as string}`, sk: 'USER' },
          UpdateExpression: 'SET disabled = :t',
          ExpressionAttributeValues: { ':t': true },
        }),
      );
      expect(await state(login.access_token as string)).to.equal('USER_DISABLED');
      expect(json(await refresh(login.refresh_token as string)).error).to.equal('invalid_grant');
    });
  });

  describe('signing keys', () => {
    it('publishes every public key with kid, alg and use, and no private member', async () => {
      const response = await h.handle(event('/.well-known/jwks.json', null, { method: 'GET' }));
      expect(response.statusCode).to.equal(200);
      const { keys } = JSON.parse(response.body) as JSONWebKeySet;
      expect(keys.map((key) => [key.kid, key.alg, key.use])).to.deep.equal([
        ['ed-2026', 'EdDSA', 'sig'],
        ['es-2025', 'ES256', 'sig'],
        ['rsa-2026', 'RS256', 'sig'],
      ]);
      expect(response.body).not.to.match(/"d"/);
    });

    it('keeps tokens signed by an older key verifiable while that key is published', async () => {
      const older = h.make({ signingKeys: [h.keys[1]!, h.keys[0]!] });
      const response = await older.handle(
        event('/auth/token', `grant_type=password&client_id=web&username=alice&password=${PASSWORD}`),
      );
      const token = json(response).access_token as string;
      expect(decodeProtectedHeader(token)).to.include({ alg: 'ES256', kid: 'es-2025' });
      expect((await verify(token)).sub).to.be.a('string');
    });
  });

  describe('metadata (RFC 8414 and OpenID Connect Discovery)', () => {
    const methods = ['client_secret_basic', 'client_secret_post', 'none'];
    const oauth = {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/auth/authorize`,
      token_endpoint: `${ISSUER}/auth/token`,
      revocation_endpoint: `${ISSUER}/auth/revoke`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: methods,
      revocation_endpoint_auth_methods_supported: methods,
      authorization_response_iss_parameter_supported: true,
    };
    const get = (path: string, service = h.service) => service.handle(event(path, null, { method: 'GET' }));

    it('describes the same endpoints, grants, auth methods and scopes in both documents', async () => {
      const expected = {
        ...oauth,
        userinfo_endpoint: `${ISSUER}/auth/userinfo`,
        scopes_supported: ['openid', 'User', 'Admin'],
        subject_types_supported: ['public'],
        request_uri_parameter_supported: false,
        id_token_signing_alg_values_supported: ['RS256'],
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
      };
      for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
        const response = await get(path);
        expect(response.statusCode).to.equal(200);
        expect(JSON.parse(response.body)).to.deep.equal(expected);
      }
    });

    it('offers no OpenID Connect without an RSA key', async () => {
      const plain = h.make({ signingKeys: h.keys.slice(0, 2) });
      expect(JSON.parse((await get('/.well-known/oauth-authorization-server', plain)).body)).to.deep.equal({
        ...oauth,
        scopes_supported: ['User', 'Admin'],
      });
      const oidc = await get('/.well-known/openid-configuration', plain);
      expect(oidc.statusCode).to.equal(404);
      expect(JSON.parse(oidc.body)).to.deep.equal({
        error: 'not_found',
        error_description: 'OpenID Connect is not configured',
      });
    });
  });

  describe('routing', () => {
    it('answers 405 with Allow for a known path and another method, 404 for an unknown path', async () => {
      const wrong = await h.handle(event('/auth/token', null, { method: 'GET' }));
      expect(wrong.statusCode).to.equal(405);
      expect(wrong.headers).to.include({ Allow: 'POST' });
      expect((await h.handle(event('/auth/nothing', null))).statusCode).to.equal(404);
    });

    it('answers 500 server_error without details when the table is unreachable', async () => {
      const broken = h.make({ tableName: 'no-such-table' });
      const response = await broken.handle(
        event('/auth/token', `grant_type=password&client_id=web&username=alice&password=${PASSWORD}`),
      );
      expect(response.statusCode).to.equal(500);
      expect(json(response).error).to.equal('server_error');
      expect(h.logs.at(-1)).to.contain('ResourceNotFoundException');
    });
  });

  describe('logging', () => {
    it('never writes a password, token or secret to the log', async () => {
      const login = await h.login('alice');
      const next = json(await refresh(login.refresh_token as string));
      await h.revoke({ token: next.access_token as string, client_id: 'web' });
      await h.token({
        grant_type: 'password',
        client_id: 'web',
        username: 'alice',
        password: 'wrong-password-123',
      });
      await h.token(
        { grant_type: 'client_credentials' },
        { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
      );
      await h.token(
        { grant_type: 'client_credentials' },
        { headers: { Authorization: basic('backend', 'nope') } },
      );
      const log = h.logs.join('\n');
      expect(h.logs.length).to.be.greaterThan(5);
      for (const secret of [
        PASSWORD,
        'wrong-password-123',
        BACKEND_SECRET,
        login.refresh_token,
        login.access_token,
        next.refresh_token,
        next.access_token,
      ]) {
        expect(log).not.to.contain(secret);
      }
      expect(log).not.to.contain('alice');
    });
  });
});
