// openid-client, a certified OpenID Connect relying party, against the local stack: discovery, the code flow with
// PKCE through the real sign-in page, userinfo, refresh and revocation, with no option but http on loopback.
import { expect } from 'chai';
import * as client from 'openid-client';
import { LOCAL_CLIENT_ID } from '../../local/seed';
import { startLocalStack, type LocalStack } from '../../local/stack';

const PASSWORD = 'a long enough password';
const REDIRECT_URI = 'http://127.0.0.1:5173/callback';

/** Plays the browser on the sign-in page: GET it, post its form with the credentials, return the redirect. */
async function signInThroughPage(url: URL, username: string, password: string): Promise<URL> {
  const page = await fetch(url);
  expect(page.status).to.equal(200);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const html = await page.text();
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form.set(
      match[1]!,
      match[2]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))),
    );
  }
  form.set('username', username);
  form.set('password', password);
  const answer = await fetch(new URL('authorize', url), {
    method: 'POST',
    body: form,
    headers: { cookie },
    redirect: 'manual',
  });
  expect(answer.status).to.equal(303);
  return new URL(answer.headers.get('location')!);
}

describe('openid-client against npm start', function () {
  this.timeout(20_000);
  let stack: LocalStack;

  before(async () => {
    stack = await startLocalStack({
      port: 0,
      adminPassword: 'admin password for openid-client',
      passwordParams: { logN: 10, r: 8, p: 1 },
      ttlSeconds: 0,
      watch: false,
    });
    const signUp = await fetch(`${stack.url}/auth/signup`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'dave', password: PASSWORD }),
    });
    expect(signUp.status).to.equal(201);
  });
  after(() => stack?.close());

  it('discovers the provider and completes the code flow, userinfo, refresh and revocation', async () => {
    const config = await client.discovery(new URL(stack.url), LOCAL_CLIENT_ID, undefined, undefined, {
      execute: [client.allowInsecureRequests],
    });
    expect(config.serverMetadata().supportsPKCE()).to.equal(true);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid User',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await signInThroughPage(authorizationUrl, 'dave', PASSWORD);
    expect(callback.origin + callback.pathname).to.equal(REDIRECT_URI);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).to.include({ iss: stack.url, aud: LOCAL_CLIENT_ID, nonce });
    expect(tokens.scope).to.equal('openid User');

    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).to.deep.equal({ sub: claims.sub, preferred_username: 'dave' });

    const api = (token: string) =>
      fetch(`${stack.url}/messages`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await api(tokens.access_token)).to.equal(200);
    // The authorizer refuses an ID token as a bearer token.
    expect(await api(tokens.id_token!)).to.equal(401);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.to.equal(tokens.access_token);
    expect(await api(refreshed.access_token)).to.equal(200);

    await client.tokenRevocation(config, refreshed.refresh_token!);
    expect(await api(refreshed.access_token)).to.equal(401);
    let refusal: unknown;
    await client
      .refreshTokenGrant(config, refreshed.refresh_token!)
      .catch((error: unknown) => (refusal = error));
    expect(refusal).to.be.instanceOf(client.ResponseBodyError);
    expect((refusal as client.ResponseBodyError).error).to.equal('invalid_grant');
  });
});
