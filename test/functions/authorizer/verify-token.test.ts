import { expect } from 'chai';
import { exportSPKI, SignJWT } from 'jose';
import { createTokenVerifier, validateIssuers } from '../../../functions/authorizer/verify-token';
import type { IssuerConfig, Verification } from '../../../functions/authorizer/verify-token';
import { DependencyError } from '../../../functions/authorizer/errors';
import type { SigningKey, TestServer } from './support';
import {
  AUDIENCE,
  closedPort,
  ISSUER,
  jwksOf,
  makeKey,
  NOW_MS,
  NOW_S,
  rawToken,
  sign,
  signRaw,
  startServer,
  userClaims,
} from './support';

const OIDC = 'https://idp.example.test/';

describe('createTokenVerifier', () => {
  let ed: SigningKey;
  let es: SigningKey;
  let attacker: SigningKey;
  let idp: SigningKey;
  let builtIn: IssuerConfig;

  before(async () => {
    [ed, es, attacker, idp] = await Promise.all([
      makeKey('EdDSA', 'ed-1'),
      makeKey('ES256', 'es-1'),
      makeKey('EdDSA', 'ed-1'),
      makeKey('ES256', 'idp-1'),
    ]);
    builtIn = {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: jwksOf(ed, es),
      algorithms: ['EdDSA', 'ES256'],
      typ: 'at+jwt',
      checkState: true,
    };
  });

  const verifier = (issuers: IssuerConfig[] = [builtIn], now = NOW_MS) =>
    createTokenVerifier(issuers, { now: () => now });
  const codeOf = (result: Verification) => (result.ok ? 'OK' : result.code);

  describe('accepts', () => {
    it('an EdDSA and an ES256 token of the built-in issuer', async () => {
      const verify = verifier();
      for (const key of [ed, es]) {
        const result = await verify(await sign(key, userClaims()));
        expect(result.ok, key.alg).to.equal(true);
        if (result.ok) {
          expect(result.payload.sub).to.equal('user-1');
          expect(result.issuer.issuer).to.equal(ISSUER);
        }
      }
    });

    it('a token of whichever trusted issuer it names, checked against that issuer only', async () => {
      const other: IssuerConfig = {
        issuer: OIDC,
        audience: ['a', 'b'],
        jwks: jwksOf(idp),
        algorithms: ['ES256'],
      };
      const verify = verifier([builtIn, other]);
      const token = await new SignJWT({ sub: 'u', aud: 'b', iss: OIDC, exp: NOW_S + 60 })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .sign(idp.privateKey);
      const result = await verify(token);
      expect(result.ok && result.issuer.issuer).to.equal(OIDC);
      const crossed = await sign(idp, userClaims(), { kid: 'idp-1' });
      expect(codeOf(await verify(crossed))).to.equal('ERR_JWKS_NO_MATCHING_KEY');
    });

    it('exp and nbf within the 5 s clock tolerance', async () => {
      const token = await sign(ed, userClaims({ exp: NOW_S - 4, nbf: NOW_S + 4 }));
      expect(codeOf(await verifier()(token))).to.equal('OK');
    });
  });

  describe('refuses, with the jose error code (or accepts the control)', () => {
    const cases: [string, () => string | Promise<string>, string][] = [
      [
        'alg none',
        () => rawToken({ alg: 'none', typ: 'at+jwt' }, userClaims(), ''),
        'ERR_JOSE_ALG_NOT_ALLOWED',
      ],
      [
        'alg none with a dummy signature',
        () => rawToken({ alg: 'none', kid: 'ed-1', typ: 'at+jwt' }, userClaims(), 'c2ln'),
        'ERR_JOSE_ALG_NOT_ALLOWED',
      ],
      [
        'HS256 signed with the public key (algorithm confusion)',
        async () => {
          const secret = new TextEncoder().encode(await exportSPKI(es.publicKey));
          return new SignJWT(userClaims())
            .setProtectedHeader({ alg: 'HS256', kid: 'es-1', typ: 'at+jwt' })
            .sign(secret);
        },
        'ERR_JOSE_ALG_NOT_ALLOWED',
      ],
      ['an expired token', () => sign(ed, userClaims({ exp: NOW_S - 6 })), 'ERR_JWT_EXPIRED'],
      [
        'nbf in the future',
        () => sign(ed, userClaims({ nbf: NOW_S + 60 })),
        'ERR_JWT_CLAIM_VALIDATION_FAILED',
      ],
      [
        'a wrong iss',
        () => sign(ed, userClaims({ iss: 'https://evil.test' })),
        'ERR_JWT_CLAIM_VALIDATION_FAILED',
      ],
      ['no iss', () => sign(ed, userClaims({ iss: undefined })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [
        'a wrong aud',
        () => sign(ed, userClaims({ aud: 'https://other.test' })),
        'ERR_JWT_CLAIM_VALIDATION_FAILED',
      ],
      ['a missing sub', () => sign(ed, userClaims({ sub: undefined })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      ['an empty sub', () => sign(ed, userClaims({ sub: '' })), 'INVALID_SUB'],
      ['a missing exp', () => sign(ed, userClaims({ exp: undefined })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      ['a wrong typ', () => sign(ed, userClaims(), { typ: 'JWT' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await sign(ed, userClaims())).split('.');
          return `${header}.${rawToken({}, userClaims({ scope: 'Admin' })).split('.')[1]}.${signature}`;
        },
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      ],
      [
        'a bad signature (another key, same kid)',
        () => sign(attacker, userClaims()),
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      ],
      ['an unknown kid', () => sign(ed, userClaims(), { kid: 'nope' }), 'ERR_JWKS_NO_MATCHING_KEY'],
      [
        'an unknown crit header',
        () => signRaw(ed, { typ: 'at+jwt', crit: ['x-must'], 'x-must': 1 }, userClaims()),
        'ERR_JOSE_NOT_SUPPORTED',
      ],
      [
        'a raw-signed token (control for the crit case)',
        () => signRaw(ed, { typ: 'at+jwt' }, userClaims()),
        'OK',
      ],
      ['garbage', () => 'a.b.c', 'ERR_JWS_INVALID'],
    ];
    for (const [name, make, code] of cases) {
      it(name, async () => {
        const result = await verifier()(await make());
        expect(codeOf(result)).to.equal(code);
      });
    }
  });

  describe('with several issuers', () => {
    it('refuses a token whose iss names none of several trusted issuers', async () => {
      const other: IssuerConfig = { issuer: OIDC, audience: 'a', jwks: jwksOf(idp), algorithms: ['ES256'] };
      const verify = verifier([builtIn, other]);
      for (const token of [
        await sign(ed, userClaims({ iss: 'https://evil.test' })),
        await sign(ed, userClaims({ iss: undefined })),
        'a.b.c',
        'a.!!!.c',
      ]) {
        expect(codeOf(await verify(token))).to.equal('UNKNOWN_ISSUER');
      }
    });
  });

  describe('never fetches or trusts keys named by the token', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer();
      server.respond(200, jwksOf(attacker));
    });
    after(() => server.close());

    it('ignores jku, x5u and an embedded jwk', async () => {
      const verify = verifier();
      const headers = [
        { jku: `${server.url}/jku`, kid: 'ed-1' },
        { x5u: `${server.url}/x5u`, kid: 'ed-1' },
        { jwk: attacker.publicJwk, kid: 'ed-1' },
        { jwk: attacker.publicJwk, kid: undefined },
        { jku: `${server.url}/jku`, kid: 'evil' },
      ];
      for (const header of headers) {
        const result = await verify(await sign(attacker, userClaims(), header));
        expect(result.ok, JSON.stringify(header)).to.equal(false);
      }
      expect(server.hits).to.deep.equal([]);
    });
  });

  describe('with a jwksUri issuer', () => {
    let server: TestServer;
    const remote = (url: string, cooldownMs: number) =>
      createTokenVerifier(
        [{ issuer: OIDC, audience: AUDIENCE, jwksUri: url, algorithms: ['ES256', 'EdDSA'] }],
        {
          now: () => NOW_MS,
          jwksCooldownMs: cooldownMs,
          jwksTimeoutMs: 500,
        },
      );
    const oidcToken = (key: SigningKey, kid = key.kid) =>
      sign(key, userClaims({ iss: OIDC }), { kid, typ: 'JWT' });

    beforeEach(async () => {
      server = await startServer(jwksOf(idp));
    });
    afterEach(() => server.close());

    it('fetches the key set once and reuses it', async () => {
      const verify = remote(`${server.url}/jwks`, 30_000);
      expect(codeOf(await verify(await oidcToken(idp)))).to.equal('OK');
      expect(codeOf(await verify(await oidcToken(idp)))).to.equal('OK');
      expect(server.hits).to.deep.equal(['/jwks']);
    });

    it('fetches a key set at once for an unknown kid, so a rotated key works on its first use', async () => {
      const verify = remote(`${server.url}/jwks`, 300);
      expect(codeOf(await verify(await oidcToken(idp)))).to.equal('OK');
      server.respond(200, jwksOf(idp, es));
      // Published a moment after the last fetch: the token waits for the next one instead of a 401.
      expect(codeOf(await verify(await oidcToken(es)))).to.equal('OK');
      expect(server.hits).to.deep.equal(['/jwks', '/jwks']);
      expect(codeOf(await verify(await oidcToken(es)))).to.equal('OK');
      expect(server.hits, 'the new key is kept').to.have.length(2);
    });

    it('fetches at most once per interval for all unknown kids together', async () => {
      const verify = remote(`${server.url}/jwks`, 300);
      expect(codeOf(await verify(await oidcToken(idp)))).to.equal('OK');
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => oidcToken(es, `made-up-${i}`)));
      const started = performance.now();
      const codes = await Promise.all(made.map((token) => verify(token).then(codeOf)));
      expect(codes).to.deep.equal(made.map(() => 'ERR_JWKS_NO_MATCHING_KEY'));
      expect(server.hits, '20 unknown kids at once: one more fetch').to.have.length(2);
      for (const token of made.slice(0, 3))
        expect(codeOf(await verify(token))).to.equal('ERR_JWKS_NO_MATCHING_KEY');
      const elapsed = performance.now() - started;
      // Never more than one fetch per 300 ms since the first one.
      expect(server.hits.length - 1).to.be.at.most(1 + Math.floor(elapsed / 300));
      expect(server.hits.length).to.be.at.most(5);
    });

    it('fetches the key set again once it is older than the maximum age', async () => {
      const verify = createTokenVerifier(
        [{ issuer: OIDC, audience: AUDIENCE, jwksUri: `${server.url}/jwks`, algorithms: ['ES256'] }],
        { now: () => NOW_MS, jwksMaxAgeMs: 100, jwksCooldownMs: 0 },
      );
      expect(codeOf(await verify(await oidcToken(idp)))).to.equal('OK');
      await new Promise((resolve) => setTimeout(resolve, 150));
      server.respond(200, jwksOf(es));
      // The provider withdrew idp-1: after the maximum age its tokens stop verifying.
      expect(codeOf(await verify(await oidcToken(idp)))).to.equal('ERR_JWKS_NO_MATCHING_KEY');
      expect(server.hits).to.deep.equal(['/jwks', '/jwks']);
    });

    it('reports an unreachable JWKS endpoint as a dependency outage, not a bad token', async () => {
      const verify = remote(`http://127.0.0.1:${await closedPort()}/jwks`, 30_000);
      const error: unknown = await verify(await oidcToken(idp)).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(DependencyError).with.property('code', 'JWKS_UNAVAILABLE');
    });

    it('reports a failing or garbled JWKS response as a dependency outage', async () => {
      for (const [status, body] of [
        [500, { message: 'down' }],
        [200, { keys: 'nope' }],
      ] as const) {
        server.respond(status, body);
        const verify = remote(`${server.url}/jwks`, 30_000);
        const error: unknown = await verify(await oidcToken(idp)).catch((caught: unknown) => caught);
        expect(error, String(status)).to.be.instanceOf(DependencyError);
      }
    });
  });
});

describe('validateIssuers', () => {
  const base: IssuerConfig = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: { keys: [] },
    algorithms: ['ES256'],
  };

  it('accepts asymmetric algorithms with one key source', () => {
    expect(() =>
      validateIssuers([base, { ...base, issuer: OIDC, jwks: undefined, jwksUri: 'https://x/jwks' }]),
    ).not.to.throw();
  });

  it('refuses none and every HMAC algorithm', () => {
    for (const alg of ['none', 'HS256', 'HS384', 'HS512']) {
      expect(() => validateIssuers([{ ...base, algorithms: ['ES256', alg] }]), alg).to.throw(
        TypeError,
        `issuers[0].algorithms: "${alg}" is not allowed. Expected one of: EdDSA, Ed25519, ES256, ES384, ES512, RS256, RS384, RS512, PS256, PS384, PS512`,
      );
    }
  });

  it('refuses an empty allow-list, both or neither key source, plain http off loopback, duplicates', () => {
    const bad: [IssuerConfig[], string][] = [
      [[{ ...base, algorithms: [] }], 'issuers[0].algorithms: is not a non-empty list of non-empty strings'],
      [[{ ...base, jwksUri: 'https://x/jwks' }], 'issuers[0].jwks: set "jwks" or "jwksUri", not both'],
      [
        [{ ...base, jwks: undefined }],
        'issuers[0].jwksUri: is required for kind "oidc" (or give the keys inline in "jwks")',
      ],
      [
        [{ ...base, jwks: undefined, jwksUri: 'http://idp.test/jwks' }],
        'issuers[0].jwksUri: "http://idp.test/jwks" is not an https URL (http only on a loopback host)',
      ],
      [[base, base], `issuers[1].issuer: "${ISSUER}" is configured twice`],
      [
        [{ ...base, audience: [] }],
        'issuers[0].audience: is not a non-empty list of non-empty strings (or one string)',
      ],
      [[], 'issuers: at least one issuer must be trusted'],
    ];
    for (const [issuers, message] of bad)
      expect(() => validateIssuers(issuers), message).to.throw(TypeError, message);
  });
});
