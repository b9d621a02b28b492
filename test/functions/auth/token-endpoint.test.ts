import { expect } from 'chai';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Harness } from './harness';
import { BACKEND_SECRET, basic, event, form, json, PASSWORD, START_MS, startHarness } from './harness';

describe('POST /auth/token', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    expect((await h.signUp('alice')).statusCode).to.equal(201);
  });
  after(() => h.close());
  beforeEach(() => {
    h.clock.ms = START_MS;
  });

  const login = { grant_type: 'password', client_id: 'web', username: 'alice', password: PASSWORD };
  const body = form(login);

  function expectError(response: APIGatewayProxyResult, status: number, error: string): void {
    expect(response.statusCode, response.body).to.equal(status);
    expect(json(response).error).to.equal(error);
    expect(json(response).error_description).to.be.a('string');
    expect(response.headers).to.include({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    });
  }

  describe('refuses malformed requests with invalid_request and writes nothing', () => {
    const cases: [string, () => ReturnType<Harness['handle']>][] = [
      [
        'a JSON body',
        () => h.handle(event('/auth/token', JSON.stringify(login), { contentType: 'application/json' })),
      ],
      ['no content type', () => h.handle(event('/auth/token', body, { contentType: null }))],
      [
        'a charset other than UTF-8',
        () =>
          h.handle(
            event('/auth/token', body, { contentType: 'application/x-www-form-urlencoded; charset=latin1' }),
          ),
      ],
      ['an oversized body', () => h.handle(event('/auth/token', `${body}&pad=${'a'.repeat(9000)}`))],
      [
        'an oversized base64 body',
        () =>
          h.handle(
            event('/auth/token', Buffer.from(`${body}&pad=${'a'.repeat(9000)}`).toString('base64'), {
              isBase64Encoded: true,
            }),
          ),
      ],
      [
        'a body that is not base64 although flagged so',
        () => h.handle(event('/auth/token', body, { isBase64Encoded: true })),
      ],
      ['a missing body', () => h.handle(event('/auth/token', null))],
      ['a broken percent-encoding', () => h.handle(event('/auth/token', `${body}&x=%zz`))],
      ['percent-encoded bytes that are not UTF-8', () => h.handle(event('/auth/token', `${body}&x=%ff`))],
      ['a repeated parameter', () => h.handle(event('/auth/token', `${body}&grant_type=password`))],
      [
        'a repeated parameter with another value',
        () => h.handle(event('/auth/token', `${body}&username=bob`)),
      ],
      [
        'too many parameters',
        () =>
          h.handle(
            event('/auth/token', `${body}${Array.from({ length: 40 }, (_, i) => `&k${i}=v`).join('')}`),
          ),
      ],
      ['no grant_type', () => h.token({ client_id: 'web', username: 'alice', password: PASSWORD })],
      ['an empty grant_type', () => h.token({ ...login, grant_type: '' })],
      ['no username', () => h.token({ grant_type: 'password', client_id: 'web', password: PASSWORD })],
      ['no password', () => h.token({ grant_type: 'password', client_id: 'web', username: 'alice' })],
      ['no refresh_token', () => h.token({ grant_type: 'refresh_token', client_id: 'web' })],
      [
        'a repeated Authorization header',
        () =>
          h.handle({
            ...event('/auth/token', body),
            multiValueHeaders: { Authorization: ['Basic a', 'Basic b'] },
          }),
      ],
      [
        'Basic and client_secret_post together',
        () =>
          h.token(
            { grant_type: 'client_credentials', client_secret: BACKEND_SECRET },
            { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
          ),
      ],
      [
        'a client_id that differs from Basic',
        () =>
          h.token(
            { grant_type: 'client_credentials', client_id: 'web' },
            { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
          ),
      ],
    ];
    for (const [name, send] of cases) {
      it(`refuses ${name}`, async () => {
        const before = (await h.items()).length;
        expectError(await send(), 400, 'invalid_request');
        expect((await h.items()).length).to.equal(before);
      });
    }
  });

  it('accepts a base64-encoded form (API Gateway binary media types)', async () => {
    const response = await h.handle(
      event('/auth/token', Buffer.from(body).toString('base64'), { isBase64Encoded: true }),
    );
    expect(response.statusCode).to.equal(200);
  });

  it('accepts the media type in any case with a UTF-8 charset', async () => {
    const response = await h.handle(
      event('/auth/token', body, { contentType: 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }),
    );
    expect(response.statusCode).to.equal(200);
  });

  it('answers unsupported_grant_type for an unknown grant', async () => {
    expectError(await h.token({ ...login, grant_type: 'authorization_code' }), 400, 'unsupported_grant_type');
  });

  describe('client authentication', () => {
    // RFC 6749 5.2's 400: a 401 needs a challenge, and API Gateway renames WWW-Authenticate from a Lambda.
    it('answers 400 invalid_client without a challenge for an unknown client, a wrong secret and a malformed header', async () => {
      for (const response of [
        await h.token({ ...login, client_id: 'nobody' }),
        await h.token(
          { grant_type: 'client_credentials' },
          { headers: { Authorization: basic('backend', 'wrong') } },
        ),
        await h.token(
          { grant_type: 'client_credentials' },
          { headers: { Authorization: basic('nobody', BACKEND_SECRET) } },
        ),
        await h.token({ grant_type: 'client_credentials', client_id: 'backend', client_secret: 'wrong' }),
        await h.token({ grant_type: 'client_credentials' }, { headers: { Authorization: 'Basic !!!' } }),
        await h.token(
          { grant_type: 'client_credentials' },
          { headers: { Authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` } },
        ),
        await h.token({ grant_type: 'client_credentials' }, { headers: { Authorization: 'Bearer abc' } }),
      ]) {
        expectError(response, 400, 'invalid_client');
        expect(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase())).not.to.include(
          'www-authenticate',
        );
      }
    });

    it('answers invalid_client when no client is named at all', async () => {
      expectError(
        await h.token({ grant_type: 'password', username: 'alice', password: PASSWORD }),
        400,
        'invalid_client',
      );
    });

    it('refuses a secret from a public client and a missing secret from a confidential one', async () => {
      expectError(await h.token({ ...login, client_secret: 'anything' }), 400, 'invalid_client');
      expectError(
        await h.token({ grant_type: 'client_credentials', client_id: 'backend' }),
        400,
        'invalid_client',
      );
    });

    it('answers unauthorized_client for a grant the client may not use', async () => {
      expectError(
        await h.token({ grant_type: 'client_credentials', client_id: 'web' }),
        400,
        'unauthorized_client',
      );
      expectError(
        await h.token(
          { grant_type: 'password', username: 'alice', password: PASSWORD },
          { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
        ),
        400,
        'unauthorized_client',
      );
    });
  });

  describe('scope', () => {
    it('answers invalid_scope for a role the user does not hold', async () => {
      expectError(await h.token({ ...login, scope: 'Admin' }), 400, 'invalid_scope');
    });

    it('answers invalid_scope for a name the scope model does not declare', async () => {
      expectError(await h.token({ ...login, scope: 'User Root' }), 400, 'invalid_scope');
    });

    it('grants the held part of a partly held request', async () => {
      expect(json(await h.token({ ...login, scope: 'User Admin' })).scope).to.equal('User');
    });
  });

  describe('user enumeration and throttling', () => {
    it('answers an unknown user exactly as a wrong password', async () => {
      const unknown = await h.token({ ...login, username: 'nobody-here' });
      const wrong = await h.token({ ...login, password: 'not-the-password' });
      const invalidName = await h.token({ ...login, username: '!' });
      expectError(unknown, 400, 'invalid_grant');
      expect(wrong).to.deep.equal(unknown);
      expect(invalidName).to.deep.equal(unknown);
      await h.login('alice');
    });

    /** A password-grant request from another source address. */
    const from = (sourceIp: string, fields: Record<string, string>) => {
      const request = event('/auth/token', form(fields));
      request.requestContext.identity.sourceIp = sourceIp;
      return h.handle(request);
    };

    it('evaluates at most five of 24 password checks sent at once, and refuses the rest with 429 and Retry-After', async () => {
      expect((await h.signUp('burst-target')).statusCode).to.equal(201);
      // 23 wrong guesses and, last, the right password.
      const guesses = Array.from({ length: 24 }, (_, i) => ({
        ...login,
        username: 'burst-target',
        password: i === 23 ? PASSWORD : `wrong-guess-${i}`,
      }));
      // All of them hashing at once, as parallel Lambdas would: only the throttle decides.
      const service = h.make({ passwordConcurrency: 32 });
      const answers = await Promise.all(
        guesses.map((guess) => {
          const request = event('/auth/token', form(guess));
          request.requestContext.identity.sourceIp = '198.51.100.24';
          return service.handle(request);
        }),
      );
      const evaluated = answers.filter((answer) => answer.statusCode === 400 || answer.statusCode === 200);
      const refused = answers.filter((answer) => answer.statusCode === 429);
      expect(evaluated.length + refused.length).to.equal(24);
      for (const answer of refused) {
        expectError(answer, 429, 'invalid_grant');
        expect(Number(answer.headers!['Retry-After'])).to.be.within(1, 15);
      }
      expect(evaluated.length).to.be.within(1, 5);
    });

    it('delays a source after five failures, doubling, and counts again from zero after a success', async () => {
      expect((await h.signUp('delay-target')).statusCode).to.equal(201);
      const target = { ...login, username: 'delay-target' };
      const wrong = { ...target, password: 'not-the-password' };
      for (let i = 0; i < 5; i += 1) expectError(await from('198.51.100.5', wrong), 400, 'invalid_grant');
      const held = await from('198.51.100.5', target);
      expectError(held, 429, 'invalid_grant');
      expect(json(held).error_description).to.equal('too many login attempts; retry after 15 seconds');
      expect(held.headers).to.include({ 'Retry-After': '15' });
      h.clock.ms += 15_000;
      expectError(await from('198.51.100.5', wrong), 400, 'invalid_grant');
      expect((await from('198.51.100.5', target)).headers).to.include({ 'Retry-After': '30' });
      h.clock.ms += 30_000;
      expect((await from('198.51.100.5', target)).statusCode).to.equal(200);
      expectError(await from('198.51.100.5', wrong), 400, 'invalid_grant');
      expect((await from('198.51.100.5', target)).statusCode).to.equal(200);
    });

    it('never locks the owner out: a stranger guessing from elsewhere does not delay another address', async () => {
      expect((await h.signUp('owner-target')).statusCode).to.equal(201);
      const target = { ...login, username: 'owner-target' };
      for (let i = 0; i < 8; i += 1) {
        h.clock.ms += 3_600_000;
        await from('192.0.2.66', { ...target, password: `guess-${i}` });
      }
      expectError(await from('192.0.2.66', target), 429, 'invalid_grant');
      expect((await from('203.0.113.50', target)).statusCode).to.equal(200);
    });

    it('stops untrusted addresses at the account-wide ceiling until the window ends, but not a known one', async () => {
      // Four attempts per window from addresses that never signed in to the account.
      const service = h.make({ loginThrottle: { accountCeiling: 4 } });
      const ask = (sourceIp: string, fields: Record<string, string>) => {
        const request = event('/auth/token', form(fields));
        request.requestContext.identity.sourceIp = sourceIp;
        return service.handle(request);
      };
      expect((await h.signUp('ceiling-target')).statusCode).to.equal(201);
      const target = { ...login, username: 'ceiling-target' };
      // The owner signs in once from home (the first of the four), which makes that address known.
      expect((await ask('203.0.113.80', target)).statusCode).to.equal(200);
      for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
        expectError(await ask(ip, { ...target, password: 'guess' }), 400, 'invalid_grant');
      }
      const ceiling = await ask('192.0.2.4', target);
      expectError(ceiling, 429, 'invalid_grant');
      const windowEnds = (Math.floor(START_MS / 900_000) + 1) * 900;
      expect(ceiling.headers).to.include({ 'Retry-After': String(windowEnds - START_MS / 1000) });
      expect((await ask('203.0.113.80', target)).statusCode).to.equal(200);
    });

    it('throttles an unknown user exactly as a real one, and writes only its throttle items', async () => {
      expect((await h.signUp('twin-real')).statusCode).to.equal(201);
      const before = await h.items();
      const ghost = { ...login, username: 'ghost-user', password: 'not-the-password' };
      const real = { ...login, username: 'twin-real', password: 'not-the-password' };
      for (let i = 0; i < 5; i += 1) {
        expect(await from('198.51.100.77', ghost)).to.deep.equal(await from('198.51.100.78', real));
      }
      expect(await from('198.51.100.77', ghost)).to.deep.equal(await from('198.51.100.78', real));
      const added = (await h.items()).filter(
        (item) => !before.some((old) => old.pk === item.pk && old.sk === item.sk),
      );
      expect(added.map((item) => `${String(item.pk)} ${String(item.sk)}`).sort()).to.deep.equal([
        'LOGIN#ghost-user SOURCE#198.51.100.77',
        `LOGIN#ghost-user WINDOW#${Math.floor(START_MS / 900_000)}`,
        'LOGIN#twin-real SOURCE#198.51.100.78',
        `LOGIN#twin-real WINDOW#${Math.floor(START_MS / 900_000)}`,
      ]);
    });
  });

  describe('refresh tokens that are not valid', () => {
    it('answers invalid_grant for a malformed, unknown or access-token value', async () => {
      const { access_token } = await h.login('alice');
      for (const token of ['short', 'A'.repeat(43), access_token as string]) {
        expectError(
          await h.token({ grant_type: 'refresh_token', client_id: 'web', refresh_token: token }),
          400,
          'invalid_grant',
        );
      }
    });
  });
});
