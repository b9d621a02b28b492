import { expect } from 'chai';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { putClient } from '../../../functions/auth/clients';
import { atHash } from '../../../functions/auth/id-tokens';
import { findUserByName, setUserRoles } from '../../../functions/auth/users';
import { clientKey } from '../../../functions/lib/token-table';
import type { Harness } from './harness';
import { event, ISSUER, json, PASSWORD, SPA_CLIENT, SPA_REDIRECT, START_MS, startHarness } from './harness';
import { authorizeEvent, cookieOf, hiddenFields, pkce, redirectParams, submit } from './sign-in';

describe('GET and POST /auth/authorize', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    expect((await h.signUp('alice')).statusCode).to.equal(201);
    expect((await h.signUp('root')).statusCode).to.equal(201);
    const db = { documents: h.dynamo.documents, tableName: h.table };
    await setUserRoles(db, (await findUserByName(db, 'root'))!.sub, ['Admin']);
    await putClient(db, {
      ...clientKey('no-code'),
      clientId: 'no-code',
      grantTypes: ['password'],
      redirectUris: [SPA_REDIRECT],
      roles: [],
      createdAt: 0,
    });
    await putClient(db, {
      ...clientKey('other-spa'),
      clientId: 'other-spa',
      grantTypes: ['authorization_code'],
      redirectUris: [SPA_REDIRECT],
      roles: [],
      createdAt: 0,
    });
    await putClient(db, {
      ...clientKey('mobile-app'),
      clientId: 'mobile-app',
      grantTypes: ['authorization_code'],
      redirectUris: ['com.example.app:/oauth/callback'],
      roles: [],
      createdAt: 0,
    });
  });
  after(() => h.close());
  beforeEach(() => {
    h.clock.ms = START_MS;
  });

  const request = (overrides: Record<string, string | undefined> = {}, challenge = pkce().challenge) => {
    const params: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: SPA_CLIENT,
      redirect_uri: SPA_REDIRECT,
      scope: 'openid User',
      state: 'st-<"&>',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
  };
  const page = (overrides: Record<string, string | undefined> = {}, challenge?: string) =>
    h.handle(authorizeEvent(request(overrides, challenge)));

  function expectErrorPage(response: APIGatewayProxyResult, status: number, message: string): void {
    expect(response.statusCode, response.body).to.equal(status);
    expect(response.headers).not.to.have.property('Location');
    expect(response.headers?.['Content-Type']).to.equal('text/html; charset=utf-8');
    expect(response.body).to.include(`<p class="error" role="alert">${message}</p>`);
  }

  function expectRedirectError(response: APIGatewayProxyResult, error: string, description: string): void {
    expect(response.statusCode, response.body).to.be.oneOf([302, 303]);
    expect(String(response.headers?.Location)).to.match(/^https:\/\/app\.example\.com\/callback\?/);
    expect(redirectParams(response)).to.deep.equal({
      error,
      error_description: description,
      state: 'st-<"&>',
      iss: ISSUER,
    });
  }

  /** Signs in through the page and exchanges the code; returns the token response. */
  async function signIn(username = 'alice', overrides: Record<string, string | undefined> = {}) {
    const { verifier, challenge } = pkce();
    const form = await page(overrides, challenge);
    const answer = await submit(h, form, { username, password: PASSWORD });
    expect(answer.statusCode, answer.body).to.equal(303);
    return { answer, verifier, code: redirectParams(answer).code! };
  }
  const exchange = (code: string, verifier: string, overrides: Record<string, string> = {}) =>
    h.token({
      grant_type: 'authorization_code',
      client_id: SPA_CLIENT,
      code,
      redirect_uri: SPA_REDIRECT,
      code_verifier: verifier,
      ...overrides,
    });

  describe('the sign-in page', () => {
    it('renders the form with the request in hidden fields, escaped, and a strict CSP', async () => {
      const response = await page();
      expect(response.statusCode).to.equal(200);
      expect(response.headers).to.include({
        'Content-Type': 'text/html; charset=utf-8',
        'X-Frame-Options': 'DENY',
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
      });
      expect(String(response.headers?.['Content-Security-Policy'])).to.match(
        /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self' https:\/\/app\.example\.com; frame-ancestors 'none'; base-uri 'none'$/,
      );
      expect(response.body).to.include('<input id="username" name="username"');
      expect(response.body).to.include('name="password" type="password"');
      expect(response.body).to.include('value="st-&#60;&#34;&#38;&#62;"');
      expect(response.body).not.to.match(/<script|src=|href=/);
      expect([...hiddenFields(response.body).keys()]).to.deep.equal([
        'response_type',
        'client_id',
        'redirect_uri',
        'scope',
        'state',
        'nonce',
        'code_challenge',
        'code_challenge_method',
        'csrf_token',
      ]);
      expect(String(response.headers?.['Set-Cookie'])).to.match(
        /^scopegate_signin=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Max-Age=600; Secure$/,
      );
    });

    it('accepts a registered loopback redirect URI on any port, and nothing else on loopback', async () => {
      expect((await page({ redirect_uri: 'http://127.0.0.1:5173/callback' })).statusCode).to.equal(200);
      expectErrorPage(
        await page({ redirect_uri: 'http://127.0.0.1:5173/other' }),
        400,
        'redirect_uri is not registered for this client',
      );
      expectErrorPage(
        await page({ redirect_uri: 'http://[::1]:5173/callback' }),
        400,
        'redirect_uri is not registered for this client',
      );
    });
  });

  it("sends a mobile app's answer to its private-use scheme, which the page's CSP allows", async () => {
    const mobile = { client_id: 'mobile-app', redirect_uri: 'com.example.app:/oauth/callback' };
    const { verifier, challenge } = pkce();
    const form = await page(mobile, challenge);
    expect(String(form.headers?.['Content-Security-Policy'])).to.include(
      "form-action 'self' com.example.app:;",
    );
    const answer = await submit(h, form, { username: 'alice', password: PASSWORD });
    expect(String(answer.headers?.Location)).to.match(/^com\.example\.app:\/oauth\/callback\?code=/);
    const tokens = await exchange(redirectParams(answer).code!, verifier, mobile);
    expect(json(tokens).scope).to.equal('openid User');
  });

  describe('errors shown on the page, never redirected', () => {
    const cases: [string, Record<string, string | undefined>, string][] = [
      ['an unknown client', { client_id: 'nobody' }, 'unknown client'],
      ['no client', { client_id: undefined }, 'client_id is required'],
      ['no redirect URI', { redirect_uri: undefined }, 'redirect_uri is required'],
      [
        'an unregistered redirect URI',
        { redirect_uri: 'https://evil.example/callback' },
        'redirect_uri is not registered for this client',
      ],
      [
        'a redirect URI differing by a slash',
        { redirect_uri: `${SPA_REDIRECT}/` },
        'redirect_uri is not registered for this client',
      ],
      [
        'a redirect URI with another query',
        { redirect_uri: `${SPA_REDIRECT}?x=1` },
        'redirect_uri is not registered for this client',
      ],
    ];
    for (const [what, overrides, message] of cases) {
      it(`shows ${what}`, async () => {
        expectErrorPage(await page(overrides), 400, message);
        // Nothing bad enough to redirect is ever checked before the client and its redirect URI.
        expectErrorPage(await page({ ...overrides, response_type: 'token' }), 400, message);
      });
    }

    it('shows a repeated parameter', async () => {
      const pairs = Object.entries(request());
      const response = await h.handle(
        authorizeEvent([...pairs, ['redirect_uri', 'https://evil.example/cb']]),
      );
      expectErrorPage(response, 400, 'parameter &#34;redirect_uri&#34; is repeated');
    });
  });

  describe('errors sent to the redirect URI with state (RFC 6749 4.1.2.1)', () => {
    const cases: [string, Record<string, string | undefined>, string, string][] = [
      [
        'PKCE missing',
        { code_challenge: undefined },
        'invalid_request',
        'code_challenge is required (PKCE with S256)',
      ],
      [
        'PKCE plain',
        { code_challenge_method: 'plain' },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        'no PKCE method (plain)',
        { code_challenge_method: undefined },
        'invalid_request',
        'code_challenge_method must be S256',
      ],
      [
        'a malformed challenge',
        { code_challenge: 'short' },
        'invalid_request',
        'code_challenge must be 43 base64url characters',
      ],
      ['no response_type', { response_type: undefined }, 'invalid_request', 'response_type is required'],
      [
        'response_type token',
        { response_type: 'token' },
        'unsupported_response_type',
        'response_type must be code',
      ],
      ['an unknown scope', { scope: 'openid Root' }, 'invalid_scope', 'unknown scope: Root'],
      ['prompt=none', { prompt: 'none' }, 'login_required', 'the user must sign in'],
      [
        'a request object',
        { request: 'eyJhbGciOiJub25lIn0.e30.' },
        'request_not_supported',
        'request objects are not supported',
      ],
      [
        'a request_uri',
        { request_uri: 'https://app.example.com/r' },
        'request_uri_not_supported',
        'request_uri is not supported',
      ],
      [
        'a client without the grant',
        { client_id: 'no-code' },
        'unauthorized_client',
        'the client may not use the authorization_code grant',
      ],
      ['an oversized nonce', { nonce: 'n'.repeat(257) }, 'invalid_request', '"nonce" is too long'],
    ];
    for (const [what, overrides, error, description] of cases) {
      it(`redirects ${what}`, async () => {
        const response = await page(overrides);
        expect(response.statusCode).to.equal(302);
        expectRedirectError(response, error, description);
      });
    }

    it('intersects the scope with what the user holds: none of it is invalid_scope after sign-in', async () => {
      const form = await page({ scope: 'Admin' });
      const response = await submit(h, form, { username: 'alice', password: PASSWORD });
      expect(response.statusCode).to.equal(303);
      expectRedirectError(response, 'invalid_scope', 'none of the requested scopes is available');
    });
  });

  describe('the form post', () => {
    it('redirects with code, state and iss to the redirect URI (303)', async () => {
      const { answer } = await signIn();
      expect(answer.headers).to.include({ 'Cache-Control': 'no-store' });
      const params = redirectParams(answer);
      expect(Object.keys(params)).to.deep.equal(['code', 'state', 'iss']);
      expect(params.code).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(params).to.include({ state: 'st-<"&>', iss: ISSUER });
    });

    it('refuses a form without its CSRF token or cookie, or with one of another request or browser', async () => {
      const form = await page();
      const fields = hiddenFields(form.body);
      const withoutToken = new Map(fields);
      withoutToken.delete('csrf_token');
      const otherState = new Map(fields).set('state', 'another');
      const other = await page();
      const cases: [Parameters<typeof submit>[2], string][] = [
        [{ fields: withoutToken }, 'the sign-in form is missing its security token'],
        [{ cookie: undefined }, 'the sign-in form is missing its security token'],
        [{ fields: otherState }, 'the sign-in form was not issued to this browser for this request'],
        [{ cookie: cookieOf(other) }, 'the sign-in form was not issued to this browser for this request'],
      ];
      for (const [submission, message] of cases) {
        const response = await submit(h, form, { ...submission, username: 'alice', password: PASSWORD });
        expectErrorPage(response, 403, `${message}: go back to the application and sign in again`);
      }
    });

    it('answers access_denied to the redirect URI when the user cancels', async () => {
      const form = await page();
      const fields = hiddenFields(form.body).set('action', 'cancel');
      const response = await submit(h, form, { fields });
      expect(response.statusCode).to.equal(303);
      expectRedirectError(response, 'access_denied', 'the user cancelled the sign-in');
      // Cancelling is a form post like signing in: without its CSRF token it is refused on the page.
      const forged = await submit(h, form, { fields, cookie: undefined });
      expect(forged.statusCode).to.equal(403);
    });

    it('refuses an expired form', async () => {
      const form = await page();
      h.clock.ms += 601_000;
      const response = await submit(h, form, { username: 'alice', password: PASSWORD });
      expectErrorPage(
        response,
        403,
        'the sign-in form has expired: go back to the application and sign in again',
      );
    });

    it('is throttled like the password grant: the page says so, and redirects nothing', async () => {
      expect((await h.signUp('tina')).statusCode).to.equal(201);
      const form = await page();
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        const wrong = await submit(h, form, { username: 'tina', password: 'not her password' });
        expect(wrong.statusCode, `attempt ${attempt}`).to.equal(400);
      }
      const throttled = await submit(h, form, { username: 'tina', password: PASSWORD });
      expect(throttled.statusCode).to.equal(429);
      expect(throttled.headers).not.to.have.property('Location');
      expect(throttled.body).to.include(
        '<p class="error" role="alert">Sign-in is not possible right now (too many login attempts; retry after 15 seconds).</p>',
      );
      h.clock.ms += 15_000;
      expect((await submit(h, form, { username: 'tina', password: PASSWORD })).statusCode).to.equal(303);
    });

    it('shows form errors on the page again, keeping the user name and the request', async () => {
      const form = await page();
      for (const [username, password, message] of [
        ['alice', '', 'Enter your username and password.'],
        ['', PASSWORD, 'Enter your username and password.'],
        ['alice', 'wrong password!', 'Invalid username or password.'],
        ['nobody', PASSWORD, 'Invalid username or password.'],
      ] as const) {
        const response = await submit(h, form, { username, password });
        expect(response.statusCode).to.equal(400);
        expect(response.body).to.include(`<p class="error" role="alert">${message}</p>`);
        expect(response.body).to.include(
          `name="username" autocomplete="username" required value="${username}"`,
        );
        const again = hiddenFields(response.body);
        again.delete('csrf_token');
        const before = hiddenFields(form.body);
        before.delete('csrf_token');
        expect(again).to.deep.equal(before);
        // The re-rendered form works.
        expect((await submit(h, response, { username: 'alice', password: PASSWORD })).statusCode).to.equal(
          303,
        );
      }
    });
  });

  describe('the code at the token endpoint', () => {
    it('gives access, refresh and ID tokens for the verifier; the ID token is bound to client, nonce and access token', async () => {
      const { code, verifier } = await signIn();
      const response = await exchange(code, verifier);
      expect(response.statusCode, response.body).to.equal(200);
      const body = json(response);
      expect(body).to.include({ token_type: 'Bearer', scope: 'openid User', expires_in: 900 });
      expect(body.refresh_token).to.match(/^[A-Za-z0-9_-]{43}$/);
      const idToken = body.id_token as string;
      expect(decodeProtectedHeader(idToken)).to.deep.equal({ alg: 'RS256', kid: 'rsa-2026', typ: 'JWT' });
      const jwks: unknown = JSON.parse(
        (await h.handle(event('/.well-known/jwks.json', null, { method: 'GET' }))).body,
      );
      const { payload } = await jwtVerify(idToken, createLocalJWKSet(jwks as JSONWebKeySet), {
        issuer: ISSUER,
        audience: SPA_CLIENT,
        algorithms: ['RS256'],
        currentDate: new Date(h.clock.ms),
      });
      expect(payload).to.include({
        nonce: 'n-0S6_WzA2Mj',
        at_hash: atHash(body.access_token as string),
        auth_time: START_MS / 1000,
      });
      expect(payload).not.to.have.property('scope');
    });

    it('refuses a wrong verifier, another redirect URI and another client, and then still redeems', async () => {
      const { code, verifier } = await signIn();
      const refused: [Record<string, string>, string][] = [
        [{ code_verifier: pkce().verifier }, 'code_verifier does not match the code_challenge'],
        [{ code_verifier: 'too-short' }, 'code_verifier does not match the code_challenge'],
        [
          { redirect_uri: 'http://127.0.0.1:5173/callback' },
          'redirect_uri does not match the authorization request',
        ],
        [{ client_id: 'other-spa' }, 'the authorization code is invalid, expired or already used'],
      ];
      for (const [overrides, description] of refused) {
        const response = await exchange(code, verifier, overrides);
        expect(json(response), JSON.stringify(overrides)).to.deep.equal({
          error: 'invalid_grant',
          error_description: description,
        });
      }
      expect((await exchange(code, verifier)).statusCode).to.equal(200);
    });

    it('needs the code_verifier', async () => {
      const { code } = await signIn();
      const response = await h.token({
        grant_type: 'authorization_code',
        client_id: SPA_CLIENT,
        code,
        redirect_uri: SPA_REDIRECT,
      });
      expect(json(response)).to.deep.equal({
        error: 'invalid_request',
        error_description: '"code_verifier" is required',
      });
    });

    it('refuses an expired code (60 s)', async () => {
      const { code, verifier } = await signIn();
      h.clock.ms += 60_000;
      expect(json(await exchange(code, verifier))).to.deep.equal({
        error: 'invalid_grant',
        error_description: 'the authorization code is invalid, expired or already used',
      });
    });

    it('refuses a reused code and revokes what it issued', async () => {
      const { code, verifier } = await signIn();
      const first = json(await exchange(code, verifier));
      const again = await exchange(code, verifier);
      expect(json(again)).to.deep.equal({
        error: 'invalid_grant',
        error_description: 'the authorization code is invalid, expired or already used',
      });
      const refreshed = await h.token({
        grant_type: 'refresh_token',
        client_id: SPA_CLIENT,
        refresh_token: first.refresh_token as string,
      });
      expect(json(refreshed).error).to.equal('invalid_grant');
      const info = await h.handle(
        event('/auth/userinfo', null, {
          method: 'GET',
          headers: { authorization: `Bearer ${first.access_token as string}` },
        }),
      );
      expect(info.statusCode).to.equal(401);
      expect(h.logs.some((line) => line.includes('authorization code reuse detected'))).to.equal(true);
    });

    it('keeps openid through refreshes and grants an admin what was asked', async () => {
      const { code, verifier } = await signIn('root', { scope: 'openid User Admin' });
      const first = json(await exchange(code, verifier));
      expect(first.scope).to.equal('openid User Admin');
      const refreshed = json(
        await h.token({
          grant_type: 'refresh_token',
          client_id: SPA_CLIENT,
          refresh_token: first.refresh_token as string,
        }),
      );
      expect(refreshed.scope).to.equal('openid User Admin');
    });
  });

  describe('CORS', () => {
    it('lets an allowed origin read the JSON answers, and never the sign-in page', async () => {
      const service = h.make({ corsOrigins: ['https://app.example.com'] });
      const origin = { origin: 'https://app.example.com' };
      const token = await service.handle(
        event('/auth/token', 'grant_type=refresh_token&client_id=web&refresh_token=x', { headers: origin }),
      );
      expect(token.statusCode).to.equal(400);
      expect(token.headers).to.include({
        'Access-Control-Allow-Origin': 'https://app.example.com',
        Vary: 'Origin',
      });
      const other = await service.handle(
        event('/.well-known/openid-configuration', null, {
          method: 'GET',
          headers: { origin: 'https://evil.example' },
        }),
      );
      expect(other.headers).not.to.have.property('Access-Control-Allow-Origin');
      const signIn = authorizeEvent(request());
      const pageResponse = await service.handle({ ...signIn, headers: { ...signIn.headers, ...origin } });
      expect(pageResponse.statusCode).to.equal(200);
      expect(pageResponse.headers).not.to.have.property('Access-Control-Allow-Origin');
    });
  });

  describe('GET /auth/userinfo', () => {
    const userinfo = (token: string) =>
      h.handle(
        event('/auth/userinfo', null, { method: 'GET', headers: { authorization: `Bearer ${token}` } }),
      );

    it('names the user of an access token with openid, until it is revoked', async () => {
      const { code, verifier } = await signIn();
      const tokens = json(await exchange(code, verifier));
      const response = await userinfo(tokens.access_token as string);
      expect(response.statusCode).to.equal(200);
      expect(json(response)).to.have.keys(['sub', 'preferred_username']);
      expect(json(response).preferred_username).to.equal('alice');
      const posted = await h.handle(
        event('/auth/userinfo', '', {
          headers: { authorization: `Bearer ${tokens.access_token as string}` },
        }),
      );
      expect(json(posted)).to.deep.equal(json(response));
      await h.revoke({ token: tokens.refresh_token as string, client_id: SPA_CLIENT });
      const after = await userinfo(tokens.access_token as string);
      expect(after.statusCode).to.equal(401);
      expect(after.headers).to.include({
        'WWW-Authenticate': 'Bearer realm="scopegate", error="invalid_token"',
      });
    });

    it('refuses an access token without openid (403) and anything else (401)', async () => {
      const plain = await h.login('alice');
      const response = await userinfo(plain.access_token as string);
      expect(response.statusCode).to.equal(403);
      expect(response.headers).to.include({
        'WWW-Authenticate': 'Bearer realm="scopegate", error="insufficient_scope", scope="openid"',
      });
      const { code, verifier } = await signIn();
      const idToken = json(await exchange(code, verifier)).id_token as string;
      expect((await userinfo(idToken)).statusCode).to.equal(401);
      expect((await h.handle(event('/auth/userinfo', null, { method: 'GET' }))).statusCode).to.equal(401);
    });
  });
});
