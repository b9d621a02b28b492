import { expect } from 'chai';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import type { Harness } from './harness';
import {
  AUDIENCE,
  BACKEND_SECRET,
  basic,
  event,
  ISSUER,
  json,
  makePrivateKey,
  START_MS,
  startHarness,
} from './harness';

describe('POST /auth/revoke', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    expect((await h.signUp('alice')).statusCode).to.equal(201);
  });
  after(() => h.close());
  beforeEach(() => {
    h.clock.ms = START_MS;
  });

  const snapshot = async () => JSON.stringify(await h.items());

  it('answers 200 and writes nothing for an unknown token of either shape', async () => {
    const before = await snapshot();
    for (const token of ['A'.repeat(43), 'eyJhbGciOiJFZERTQSJ9.e30.c2ln', 'anything at all']) {
      const response = await h.revoke({ token, client_id: 'web' });
      expect(response.statusCode).to.equal(200);
      expect(response.headers).to.include({ 'Cache-Control': 'no-store' });
    }
    expect(await snapshot()).to.equal(before);
  });

  it('ignores an access token signed by a key it did not publish', async () => {
    const foreign = await importJWK(await makePrivateKey('EdDSA', 'ed-2026'), 'EdDSA');
    const forged = await new SignJWT({ scope: 'Admin', client_id: 'web' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'ed-2026', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('someone')
      .setJti('victim-jti')
      .setIssuedAt(START_MS / 1000)
      .setExpirationTime(START_MS / 1000 + 900)
      .sign(foreign);
    const before = await snapshot();
    expect((await h.revoke({ token: forged, client_id: 'web' })).statusCode).to.equal(200);
    expect(await snapshot()).to.equal(before);
  });

  it('does nothing for an expired access token', async () => {
    const { access_token } = await h.login('alice');
    h.clock.ms += 901_000;
    const before = await snapshot();
    expect((await h.revoke({ token: access_token as string, client_id: 'web' })).statusCode).to.equal(200);
    expect(await snapshot()).to.equal(before);
  });

  it('revokes a family through an already rotated refresh token too', async () => {
    const login = await h.login('alice');
    const next = json(
      await h.token({
        grant_type: 'refresh_token',
        client_id: 'web',
        refresh_token: login.refresh_token as string,
      }),
    );
    expect(
      (
        await h.revoke({
          token: login.refresh_token as string,
          token_type_hint: 'refresh_token',
          client_id: 'web',
        })
      ).statusCode,
    ).to.equal(200);
    const refused = await h.token({
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: next.refresh_token as string,
    });
    expect(json(refused).error).to.equal('invalid_grant');
  });

  it('refuses to revoke a token issued to another client', async () => {
    const login = await h.login('alice');
    for (const token of [login.refresh_token as string, login.access_token as string]) {
      const response = await h.revoke(
        { token },
        { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
      );
      expect(response.statusCode).to.equal(400);
      expect(json(response).error).to.equal('invalid_grant');
    }
    const still = await h.token({
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: login.refresh_token as string,
    });
    expect(still.statusCode).to.equal(200);
  });

  it('lets a confidential client revoke its own access token', async () => {
    const issued = json(
      await h.token(
        { grant_type: 'client_credentials' },
        { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
      ),
    );
    const response = await h.revoke(
      { token: issued.access_token as string },
      { headers: { Authorization: basic('backend', BACKEND_SECRET) } },
    );
    expect(response.statusCode).to.equal(200);
    const { jti } = decodeJwt(issued.access_token as string);
    expect((await h.items()).map((item) => item.pk)).to.include(`REVOKED#${jti}`);
  });

  it('requires client authentication', async () => {
    const response = await h.revoke({ token: 'A'.repeat(43) });
    expect(response.statusCode).to.equal(400);
    expect(json(response).error).to.equal('invalid_client');
    expect(
      (await h.revoke({ token: 'A'.repeat(43) }, { headers: { Authorization: basic('backend', 'wrong') } }))
        .statusCode,
    ).to.equal(400);
  });

  it('answers invalid_request for a missing token or a JSON body', async () => {
    expect(json(await h.revoke({ client_id: 'web' })).error).to.equal('invalid_request');
    const response = await h.handle(
      event('/auth/revoke', '{"token":"x"}', { contentType: 'application/json' }),
    );
    expect(response.statusCode).to.equal(400);
    expect(json(response).error).to.equal('invalid_request');
  });
});
