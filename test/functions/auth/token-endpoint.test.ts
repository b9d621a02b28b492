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

    it('locks an account after five failures with the same answer, and unlocks it later', async () => {
      expect((await h.signUp('mallory-target')).statusCode).to.equal(201);
      const target = { ...login, username: 'mallory-target' };
      const wrong = await h.token({ ...target, password: 'not-the-password' });
      for (let i = 1; i < 5; i += 1) {
        expect(await h.token({ ...target, password: 'not-the-password' })).to.deep.equal(wrong);
      }
      const locked = await h.token(target);
      expect(locked).to.deep.equal(wrong);
      h.clock.ms += 899_000;
      expect(await h.token(target)).to.deep.equal(wrong);
      h.clock.ms += 2_000;
      expect((await h.token(target)).statusCode).to.equal(200);
      // The count starts again after a success.
      const item = (await h.items()).find((i) => i.username === 'mallory-target');
      expect(item).not.to.have.property('failedLogins');
      expect(item).not.to.have.property('lockedUntil');
    });

    it('writes nothing for an unknown user', async () => {
      const before = JSON.stringify(await h.items());
      await h.token({ ...login, username: 'ghost-user' });
      expect(JSON.stringify(await h.items())).to.equal(before);
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
