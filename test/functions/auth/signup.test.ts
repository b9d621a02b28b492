import { expect } from 'chai';
import type { Harness } from './harness';
import { event, form, json, PASSWORD, startHarness } from './harness';

describe('POST /auth/signup', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const signUp = (body: string, contentType = 'application/json') =>
    h.handle(event('/auth/signup', body, { contentType }));

  it('creates a user from JSON with the default role and a random sub', async () => {
    const response = await signUp(JSON.stringify({ username: 'Alice@Example.com', password: PASSWORD }));
    expect(response.statusCode).to.equal(201);
    const body = json(response);
    expect(body).to.include({ username: 'alice@example.com' });
    expect(body.roles).to.deep.equal(['User']);
    expect(body.sub).to.match(/^[0-9a-f-]{36}$/);
    expect((await h.login('alice@example.com')).scope).to.equal('User');
  });

  it('sheds a flood of 16 concurrent sign-ups beyond the hashing queue with 503 and Retry-After', async () => {
    // The default limit: 2 hashing at once and 8 waiting.
    const service = h.make();
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        service.handle(event('/auth/signup', form({ username: `flood-${i}`, password: PASSWORD }))),
      ),
    );
    const created = answers.filter((answer) => answer.statusCode === 201);
    const shed = answers.filter((answer) => answer.statusCode === 503);
    expect([created.length, shed.length]).to.deep.equal([10, 6]);
    for (const answer of shed) {
      expect(answer.headers).to.include({ 'Retry-After': '1', 'Cache-Control': 'no-store' });
      expect(json(answer)).to.deep.equal({
        error: 'temporarily_unavailable',
        error_description: 'the service is busy; retry later',
      });
    }
    // Nothing of a shed request was written, and the queue drained: the next sign-up is served.
    const names = (await h.items()).map((item) => String(item.pk));
    expect(names.filter((pk) => pk.startsWith('USERNAME#flood-'))).to.have.length(10);
    expect(
      (await service.handle(event('/auth/signup', form({ username: 'after-flood', password: PASSWORD }))))
        .statusCode,
    ).to.equal(201);
  });

  it('creates a user from a form', async () => {
    expect((await h.signUp('bob')).statusCode).to.equal(201);
  });

  it('uses the configured default roles', async () => {
    const service = h.make({ defaultRoles: ['Admin'] });
    const response = await service.handle(
      event('/auth/signup', form({ username: 'root-like', password: PASSWORD })),
    );
    expect(json(response).roles).to.deep.equal(['Admin']);
  });

  it('answers 409 for a taken name, in any case, and leaves the existing user untouched', async () => {
    const before = JSON.stringify(await h.items());
    const response = await signUp(JSON.stringify({ username: 'BOB', password: 'another-password-1' }));
    expect(response.statusCode).to.equal(409);
    expect(json(response)).to.deep.equal({
      error: 'username_taken',
      error_description: 'this username is not available',
    });
    expect(JSON.stringify(await h.items())).to.equal(before);
    expect((await h.login('bob')).scope).to.equal('User');
  });

  it('lets exactly one of two concurrent sign-ups of one name succeed', async () => {
    const results = await Promise.all([h.signUp('race'), h.signUp('race', 'other-password-123')]);
    expect(results.map((r) => r.statusCode).sort()).to.deep.equal([201, 409]);
    expect((await h.items()).filter((item) => item.username === 'race')).to.have.length(1);
  });

  describe('refuses bad input with 400 invalid_request and writes nothing', () => {
    const cases: [string, string, string?][] = [
      ['a short password', JSON.stringify({ username: 'carol', password: 'short' })],
      ['a user name with spaces', JSON.stringify({ username: 'carol smith', password: PASSWORD })],
      ['a two-letter user name', JSON.stringify({ username: 'ca', password: PASSWORD })],
      ['a missing password', JSON.stringify({ username: 'carol' })],
      ['a non-string field', JSON.stringify({ username: 'carol', password: 123456789012 })],
      ['a JSON array', JSON.stringify([{ username: 'carol', password: PASSWORD }])],
      ['malformed JSON', '{"username": "carol",'],
      ['a password over 256 characters', JSON.stringify({ username: 'carol', password: 'p'.repeat(257) })],
      ['a text/plain body', `username=carol&password=${PASSWORD}`, 'text/plain'],
      [
        'a repeated form field',
        `username=carol&password=${PASSWORD}&username=dave`,
        'application/x-www-form-urlencoded',
      ],
    ];
    for (const [name, body, contentType] of cases) {
      it(`refuses ${name}`, async () => {
        const before = (await h.items()).length;
        const response = await signUp(body, contentType);
        expect(response.statusCode, response.body).to.equal(400);
        expect(json(response).error).to.equal('invalid_request');
        expect((await h.items()).length).to.equal(before);
      });
    }
    it('states the user-name rule as the admin CLI does', async () => {
      const response = await signUp(JSON.stringify({ username: 'ca', password: PASSWORD }));
      expect(json(response).error_description).to.equal(
        'username must be 3 to 128 of: letters, digits . _ @ + - (letters compared without case)',
      );
    });
  });
});
