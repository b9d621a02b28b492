import { expect } from 'chai';
import { exportSPKI, SignJWT } from 'jose';
import type { AuthorizerResult } from '../../../policies/model';
import type { IssuerConfig } from '../../../functions/authorizer/authorizer';
import { createAuthorizer } from '../../../functions/authorizer/authorizer';
import { revokedTokenKey } from '../../../functions/lib/token-table';
import { localClients } from '../../../local/dynamodb';
import type { Harness } from './harness';
import { methodArn, requestEvent, startHarness, tokenEvent } from './harness';
import { evaluate } from './simulate';
import type { SigningKey, TestServer } from './support';
import {
  AUDIENCE,
  closedPort,
  jwksOf,
  makeKey,
  NOW_S,
  rawToken,
  sign,
  signRaw,
  startServer,
  userClaims,
} from './support';

const OIDC = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test';

/** Claims of a live built-in token for one of the harness users. */
const claimsFor = (sub: string, scope: string, extra: Record<string, unknown> = {}) =>
  userClaims({ sub, scope, sid: `sid-${sub}`, jti: `jti-${sub}`, ...extra });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).to.be.instanceOf(Error);
  return outcome.error as Error;
}

describe('createAuthorizer', () => {
  let h: Harness;
  let idp: SigningKey;
  let oidc: IssuerConfig;
  let server: TestServer;
  /** Every token made in this file, to prove none reaches a log line. */
  const issued = new Set<string>();
  const bearer = (token: string) => {
    issued.add(token);
    return `Bearer ${token}`;
  };

  before(async () => {
    [h, idp, server] = await Promise.all([startHarness(), makeKey('ES256', 'idp-1'), startServer()]);
    server.respond(200, jwksOf(h.ed));
    oidc = {
      issuer: OIDC,
      audience: 'client-app',
      jwks: jwksOf(idp),
      algorithms: ['ES256'],
      rolesClaims: ['cognito:groups'],
    };
  });
  after(async () => {
    await Promise.all([h.close(), server.close()]);
    const lines = h.logs.lines.join('\n');
    for (const token of issued) {
      const [, , signature] = token.split('.');
      if (
        lines.includes(token) ||
        (signature !== undefined && signature.length > 8 && lines.includes(signature))
      ) {
        throw new Error('a token reached the logs');
      }
    }
  });
  beforeEach(() => {
    h.requests.length = 0;
  });

  const oidcToken = (claims: Record<string, unknown>) =>
    new SignJWT({ iss: OIDC, aud: 'client-app', exp: NOW_S + 300, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .sign(idp.privateKey);
  const allows = async (result: AuthorizerResult, method: string, path: string) =>
    (await evaluate(result.policyDocument, methodArn(method, path))) === 'Allowed';

  describe('with a valid built-in token', () => {
    it('answers the TOKEN event with the principal, the policy and string context', async () => {
      const token = await sign(h.ed, claimsFor('user-1', 'User openid'));
      const result = await h.make().handleToken(tokenEvent(bearer(token)));
      expect(result.principalId).to.equal('user-1');
      expect(result.context).to.include({
        sub: 'user-1',
        roles: 'User',
        clientId: 'web',
        tokenId: 'jti-user-1',
      });
      expect(await allows(result, 'GET', '/messages')).to.equal(true);
      expect(await allows(result, 'DELETE', '/messages/m-1')).to.equal(false);
      expect(h.requests).to.deep.equal(['BatchGetItemCommand']);
    });

    it('answers the REQUEST event for its route, finding the header in any letter case', async () => {
      const authorizer = h.make({ model: h.perRoute });
      const token = await sign(h.es, claimsFor('owner-1', 'Owner'));
      const template = '/files/private/{owner}';
      const own = requestEvent({ authorization: bearer(token) }, 'GET', template, '/files/private/owner-1');
      const result = await authorizer.handleRequest(own);
      expect(result.principalId).to.equal('owner-1');
      expect(result.context).to.include({ sub: 'owner-1', roles: 'Owner' });
      expect(await allows(result, 'GET', '/files/private/owner-1')).to.equal(true);
      const other = requestEvent({ AUTHORIZATION: bearer(token) }, 'GET', template, '/files/private/user-2');
      expect(await allows(await authorizer.handleRequest(other), 'GET', '/files/private/user-2')).to.equal(
        false,
      );
    });

    it('decides a scope written with inherited roles ("User Admin") exactly as the role alone ("Admin")', async () => {
      const authorizer = h.make({ cacheSize: 0 });
      for (const [method, path] of [
        ['GET', '/messages'],
        ['DELETE', '/messages/m-1'],
        ['GET', '/users/admin-1'],
      ] as const) {
        const [alone, written] = await Promise.all(
          ['Admin', 'User Admin'].map(async (scope) =>
            authorizer.handleToken(
              tokenEvent(bearer(await sign(h.ed, claimsFor('admin-1', scope))), method, path),
            ),
          ),
        );
        expect(written!.policyDocument, `${method} ${path}`).to.deep.equal(alone!.policyDocument);
      }
    });

    it('gives an Admin every sample route, and a caller without known roles none (a 403, not a 401)', async () => {
      const admin = await h
        .make()
        .handleToken(tokenEvent(bearer(await sign(h.ed, claimsFor('admin-1', 'Admin')))));
      expect(await allows(admin, 'DELETE', '/messages/m-1')).to.equal(true);
      expect(await allows(admin, 'GET', '/users')).to.equal(true);
      const nobody = await h
        .make()
        .handleToken(tokenEvent(bearer(await sign(h.ed, claimsFor('user-1', 'Root')))));
      expect(nobody.context.roles).to.equal('');
      expect(await allows(nobody, 'GET', '/messages')).to.equal(false);
    });
  });

  describe('with an OpenID Connect issuer', () => {
    it('reads roles from an array claim and makes no DynamoDB call', async () => {
      const authorizer = h.make({ issuers: [h.builtIn, oidc] });
      const token = await oidcToken({ sub: 'cog-1', 'cognito:groups': ['User', 'Staff'] });
      const result = await authorizer.handleToken(tokenEvent(bearer(token)));
      expect(result.context).to.include({ sub: 'cog-1', roles: 'User', clientId: '', tokenId: '' });
      expect(await allows(result, 'POST', '/messages')).to.equal(true);
      expect(h.requests).to.deep.equal([]);
    });

    it('needs no table at all when no issuer checks state', async () => {
      const authorizer = createAuthorizer({
        model: h.model,
        issuers: [oidc],
        now: () => NOW_S * 1000,
        logger: silent,
      });
      const token = await oidcToken({ sub: 'cog-1', 'cognito:groups': ['Admin'] });
      expect((await authorizer.handleToken(tokenEvent(bearer(token)))).context.roles).to.equal('Admin');
    });

    it('never binds a claim holding *, / or ? into a grant', async () => {
      const cachedAuthorizer = h.make({ issuers: [oidc] });
      const routeAuthorizer = h.make({ issuers: [oidc], model: h.perRoute });
      const template = '/files/private/{owner}';
      for (const sub of ['*', 'user-2/../*', 'user-?', 'user-*', '*/roles', '?']) {
        const token = await oidcToken({ sub, 'cognito:groups': ['User', 'Owner'] });
        const cached = await cachedAuthorizer.handleToken(tokenEvent(bearer(token), 'GET', '/users/x'));
        for (const path of ['/users/user-2', '/users/x', '/users/user-1', '/users/user-2/roles']) {
          expect(await allows(cached, 'GET', path), `${sub} ${path} (token)`).to.equal(false);
        }
        for (const path of ['/files/private/user-2', '/files/private/x']) {
          const event = requestEvent({ Authorization: bearer(token) }, 'GET', template, path);
          const route = await routeAuthorizer.handleRequest(event);
          expect(await allows(route, 'GET', path), `${sub} ${path} (route)`).to.equal(false);
        }
      }
      const control = await oidcToken({ sub: 'user-2', 'cognito:groups': ['User'] });
      const allowed = await cachedAuthorizer.handleToken(tokenEvent(bearer(control), 'GET', '/users/user-2'));
      expect(await allows(allowed, 'GET', '/users/user-2'), 'a safe value is bound').to.equal(true);
    });
  });

  describe('refuses with exactly Unauthorized', () => {
    const attacks: [string, () => string | Promise<string>][] = [
      [
        'alg none',
        () => bearer(rawToken({ alg: 'none', typ: 'at+jwt' }, claimsFor('user-1', 'Admin'), 'AA')),
      ],
      [
        'HS256 signed with the public key',
        async () => {
          const secret = new TextEncoder().encode(await exportSPKI(h.es.publicKey));
          const token = await new SignJWT(claimsFor('user-1', 'Admin'))
            .setProtectedHeader({ alg: 'HS256', kid: 'es-1', typ: 'at+jwt' })
            .sign(secret);
          return bearer(token);
        },
      ],
      [
        'an expired token',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { exp: NOW_S - 10 }))),
      ],
      [
        'nbf in the future',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { nbf: NOW_S + 60 }))),
      ],
      [
        'a wrong iss',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { iss: 'https://x.test' }))),
      ],
      [
        'a wrong aud',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { aud: 'https://x.test' }))),
      ],
      [
        'a missing sub',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { sub: undefined }))),
      ],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await sign(h.ed, claimsFor('user-1', 'User'))).split('.');
          const payload = rawToken({}, claimsFor('user-1', 'Admin')).split('.')[1]!;
          return bearer(`${header}.${payload}.${signature}`);
        },
      ],
      [
        'a bad signature',
        async () => bearer(await sign(await makeKey('EdDSA', 'ed-1'), claimsFor('user-1', 'User'))),
      ],
      ['an unknown kid', async () => bearer(await sign(h.ed, claimsFor('user-1', 'User'), { kid: 'ed-9' }))],
      [
        'a jku header',
        async () =>
          bearer(await sign(await makeKey('EdDSA', 'x'), claimsFor('user-1', 'User'), { jku: server.url })),
      ],
      [
        'an x5u header',
        async () =>
          bearer(await sign(await makeKey('EdDSA', 'x'), claimsFor('user-1', 'User'), { x5u: server.url })),
      ],
      [
        'an embedded jwk header',
        async () => {
          const attacker = await makeKey('EdDSA', 'ed-1');
          return bearer(await sign(attacker, claimsFor('user-1', 'User'), { jwk: attacker.publicJwk }));
        },
      ],
      [
        'an unknown crit header',
        async () =>
          bearer(
            await signRaw(
              h.ed,
              { typ: 'at+jwt', crit: ['x-bind'], 'x-bind': 1 },
              claimsFor('user-1', 'User'),
            ),
          ),
      ],
      [
        'a token over 8 KB',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { pad: 'x'.repeat(8200) }))),
      ],
      ['a non-Bearer scheme', async () => `Basic ${await sign(h.ed, claimsFor('user-1', 'User'))}`],
      ['a bare token', async () => sign(h.ed, claimsFor('user-1', 'User'))],
      [
        'two tokens',
        async () =>
          `${bearer(await sign(h.ed, claimsFor('user-1', 'User')))} ${await sign(h.ed, claimsFor('admin-1', 'Admin'))}`,
      ],
      ['an empty token', () => 'Bearer '],
      ['no header value', () => ''],
      [
        'a revoked jti',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { jti: 'jti-revoked' }))),
      ],
      [
        'a token without jti',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { jti: undefined }))),
      ],
      [
        'a revoked session',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { sid: 'sid-revoked' }))),
      ],
      [
        'an unknown session',
        async () => bearer(await sign(h.ed, claimsFor('user-1', 'User', { sid: 'sid-none' }))),
      ],
      ['a disabled user', async () => bearer(await sign(h.ed, claimsFor('off-1', 'User')))],
    ];

    for (const [name, make] of attacks) {
      it(`${name}, on both events`, async () => {
        const authorization = await make();
        const authorizer = h.make();
        const viaToken = await rejection(authorizer.handleToken(tokenEvent(authorization)));
        const viaRequest = await rejection(
          authorizer.handleRequest(
            requestEvent({ Authorization: authorization }, 'GET', '/messages', '/messages'),
          ),
        );
        for (const error of [viaToken, viaRequest]) {
          expect(error.constructor).to.equal(Error);
          expect(error.message).to.equal('Unauthorized');
        }
      });
    }

    it('two Authorization headers on a REQUEST event', async () => {
      const token = bearer(await sign(h.ed, claimsFor('user-1', 'User')));
      const event = requestEvent({ Authorization: token }, 'GET', '/messages', '/messages');
      event.multiValueHeaders = { ...event.multiValueHeaders, Authorization: [token, token] };
      expect((await rejection(h.make().handleRequest(event))).message).to.equal('Unauthorized');
    });

    it('and never fetched a key URL named by a token', () => {
      expect(server.hits).to.deep.equal([]);
    });

    it('a token over 8 KB without verifying it', async () => {
      const before = h.logs.lines.length;
      const token = await sign(h.ed, claimsFor('user-1', 'User', { pad: 'x'.repeat(8200) }));
      await rejection(h.make().handleToken(tokenEvent(bearer(token))));
      expect(h.logs.parsed().slice(before))
        .to.have.length(1)
        .and.nested.property('[0].reason', 'TOKEN_TOO_LARGE');
      expect(h.requests).to.deep.equal([]);
    });
  });

  describe('fails closed on an outage, with an error that is not Unauthorized (a 500)', () => {
    it('when DynamoDB is unreachable', async () => {
      const { client, documents } = localClients(`http://127.0.0.1:${await closedPort()}`);
      try {
        const authorizer = h.make({ documents });
        const error = await rejection(
          authorizer.handleToken(tokenEvent(bearer(await sign(h.ed, claimsFor('user-1', 'User'))))),
        );
        expect(error.message).not.to.equal('Unauthorized');
        expect(h.logs.parsed().at(-1)).to.include({ decision: 'error', reason: 'STATE_UNAVAILABLE' });
      } finally {
        client.destroy();
      }
    });

    it('when the JWKS endpoint is unreachable', async () => {
      const jwksUri = `http://127.0.0.1:${await closedPort()}/jwks`;
      const authorizer = h.make({ issuers: [{ ...oidc, jwks: undefined, jwksUri }] });
      const token = await oidcToken({ sub: 'cog-1', 'cognito:groups': ['User'] });
      const error = await rejection(authorizer.handleToken(tokenEvent(bearer(token))));
      expect(error.message).not.to.equal('Unauthorized');
      expect(h.logs.parsed().at(-1)).to.include({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
    });
  });

  describe('caches verified tokens', () => {
    it('verifies a repeated token once, yet still checks its state every time', async () => {
      const authorizer = h.make();
      const token = bearer(await sign(h.ed, claimsFor('user-1', 'User', { jti: 'jti-cache-1' })));
      await authorizer.handleToken(tokenEvent(token));
      await authorizer.handleRequest(requestEvent({ Authorization: token }, 'GET', '/messages', '/messages'));
      expect(authorizer.cacheStats).to.deep.equal({ hits: 1, misses: 1, size: 1 });
      expect(h.requests).to.deep.equal(['BatchGetItemCommand', 'BatchGetItemCommand']);
    });

    it('sees a revocation written after the token was cached', async () => {
      const authorizer = h.make();
      const token = bearer(await sign(h.ed, claimsFor('user-1', 'User', { jti: 'jti-cache-2' })));
      await authorizer.handleToken(tokenEvent(token));
      await h.put({ ...revokedTokenKey('jti-cache-2'), jti: 'jti-cache-2', expiresAt: NOW_S + 600 });
      expect((await rejection(authorizer.handleToken(tokenEvent(token)))).message).to.equal('Unauthorized');
      expect(h.logs.parsed().at(-1)).to.include({
        cached: true,
        reason: 'TOKEN_REVOKED',
        decision: 'unauthorized',
      });
    });

    it('never uses an entry past the token exp', async () => {
      let now = NOW_S * 1000;
      const authorizer = h.make({ now: () => now });
      const token = bearer(await sign(h.ed, claimsFor('user-1', 'User', { exp: NOW_S + 60 })));
      await authorizer.handleToken(tokenEvent(token));
      now = (NOW_S + 60) * 1000;
      await authorizer.handleToken(tokenEvent(token)); // within jose's clock tolerance, but verified afresh
      expect(h.logs.parsed().at(-1)).to.include({ cached: false, decision: 'allow' });
      now = (NOW_S + 66) * 1000;
      expect((await rejection(authorizer.handleToken(tokenEvent(token)))).message).to.equal('Unauthorized');
      expect(h.logs.parsed().at(-1)).to.include({ reason: 'ERR_JWT_EXPIRED' });
    });
  });

  describe('logs', () => {
    it('one JSON line per decision: decision, reason code, principal, latency', async () => {
      const before = h.logs.lines.length;
      const authorizer = h.make();
      await authorizer.handleToken(tokenEvent(bearer(await sign(h.ed, claimsFor('user-1', 'User')))));
      await rejection(
        authorizer.handleToken(tokenEvent(bearer(await sign(h.ed, claimsFor('user-1', 'User', { exp: 1 }))))),
      );
      const [allowed, refused, ...rest] = h.logs.parsed().slice(before);
      expect(rest).to.deep.equal([]);
      expect(allowed).to.include({
        level: 'INFO',
        decision: 'allow',
        reason: 'OK',
        principal: 'user-1',
        event: 'token',
      });
      expect(allowed?.latencyMs).to.be.a('number');
      expect(refused).to.include({ decision: 'unauthorized', reason: 'ERR_JWT_EXPIRED' });
      expect(refused).not.to.have.property('principal');
      expect(Object.keys(allowed ?? {}).sort()).to.deep.equal(
        [
          'cached',
          'decision',
          'event',
          'issuer',
          'latencyMs',
          'level',
          'message',
          'principal',
          'reason',
        ].sort(),
      );
    });
  });

  describe('configuration', () => {
    it('refuses an issuer that checks state without a table', () => {
      expect(() => createAuthorizer({ model: h.model, issuers: [h.builtIn] })).to.throw(
        TypeError,
        'An issuer has "checkState" but no "tableName" and "documents" were given',
      );
    });

    it('refuses an HMAC or none algorithm in the allow-list', () => {
      for (const alg of ['HS256', 'none']) {
        expect(() => h.make({ issuers: [{ ...h.builtIn, algorithms: ['EdDSA', alg] }] }), alg).to.throw(
          TypeError,
        );
      }
    });

    it('keeps the audience check per issuer', async () => {
      const token = await oidcToken({ sub: 'cog-1', aud: AUDIENCE, 'cognito:groups': ['User'] });
      const error = await rejection(
        h.make({ issuers: [h.builtIn, oidc] }).handleToken(tokenEvent(bearer(token))),
      );
      expect(error.message).to.equal('Unauthorized');
    });
  });
});

const silent = { info: () => undefined, error: () => undefined };
