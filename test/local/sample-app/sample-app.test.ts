// The sample app in a real Chromium against the real local stack: sign-in through the sign-in page, the API
// across origins, refresh, sign-out.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LOCAL_CLIENT_ID } from '../../../local/seed';
import { startSampleApp, type SampleApp } from '../../../local/sample-app/sample-app-server';
import { startLocalStack, type LocalStack } from '../../../local/stack';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const PASSWORD = 'a long enough password';

describe('sample app (Chromium)', function () {
  this.timeout(40_000);
  let stack: LocalStack;
  let app: SampleApp;
  let browser: Browser;
  let page: Page;
  const failedRequests: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    // No authorizer cache, so a revoked session is refused on the very next request.
    stack = await startLocalStack({
      port: 0,
      adminPassword: 'admin password for the sample app',
      passwordParams: { logN: 10, r: 8, p: 1 },
      ttlSeconds: 0,
      watch: false,
    });
    app = await startSampleApp({ issuer: stack.url, api: stack.url, clientId: LOCAL_CLIENT_ID, port: 0 });
    const signUp = await fetch(`${stack.url}/auth/signup`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'carol', password: PASSWORD }),
    });
    expect(signUp.status).to.equal(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await stack?.close();
  });

  const refreshToken = (): Promise<string | null> =>
    page.evaluate(() => sessionStorage.getItem('refresh_token'));
  const refreshWith = (token: string) =>
    fetch(`${stack.url}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: LOCAL_CLIENT_ID,
        refresh_token: token,
      }),
    });

  it('signs in through the sign-in page, posts a message, refreshes and signs out', async () => {
    expect(new URL(app.url).origin).not.to.equal(new URL(stack.url).origin);
    await page.goto(`${app.url}/`);
    await page.click('#sign-in');
    await page.waitForURL(`${stack.url}/auth/authorize?**`);
    expect(await page.textContent('h1')).to.equal('Sign in');
    // A form error first: the page shows it and keeps the request.
    await page.fill('#username', 'carol');
    await page.fill('#password', 'not the password');
    await page.click('button[type="submit"]:not([value="cancel"])');
    expect(await page.textContent('p.error')).to.equal('Invalid username or password.');
    await page.fill('#password', PASSWORD);
    await page.click('button[type="submit"]:not([value="cancel"])');
    await page.waitForURL(`${app.url}/`);
    await page.waitForSelector('#signed-in:not([hidden]) #token-info[data-generation="1"]');
    expect(await page.textContent('#who')).to.equal('carol');
    expect(await page.isHidden('#error')).to.equal(true);

    await page.fill('#text', 'hello from the sample app');
    await page.click('#post button[type="submit"]');
    await page.waitForSelector('#messages li');
    expect(await page.$$eval('#messages li', (items) => items.map((item) => item.textContent))).to.include(
      'hello from the sample app',
    );

    const first = await refreshToken();
    const refreshResponse = page.waitForResponse(
      (response) => response.url() === `${stack.url}/auth/token` && response.request().method() === 'POST',
    );
    await page.click('#refresh');
    const { access_token: accessToken } = (await (await refreshResponse).json()) as { access_token: string };
    await page.waitForSelector('#token-info[data-generation="2"]');
    const second = await refreshToken();
    expect(second).to.be.a('string').and.not.equal(first);
    expect(await page.textContent('#token-info')).to.match(/^access token 2, expires /);
    const messages = () =>
      fetch(`${stack.url}/messages`, { headers: { Authorization: `Bearer ${accessToken}` } }).then(
        (r) => r.status,
      );
    expect(await messages()).to.equal(200);
    // From the app's origin: a denied route answers a 403 the page can read (CORS headers on gateway errors).
    const fromPage = (method: string, token: string) =>
      page.evaluate(
        ([url, verb, bearer]) =>
          fetch(url!, { method: verb!, headers: { Authorization: `Bearer ${bearer}` } }).then(
            (response) => response.status,
            (error: unknown) => String(error),
          ),
        [`${stack.url}/messages/0000000000-000000000000`, method, token],
      );
    expect(await fromPage('DELETE', accessToken)).to.equal(403);

    await page.click('#sign-out');
    await page.waitForSelector('#signed-out:not([hidden])');
    expect(await refreshToken()).to.equal(null);
    // The session is over: its refresh token and its access token are refused.
    expect((await (await refreshWith(second!)).json()) as object).to.include({ error: 'invalid_grant' });
    expect(await messages()).to.equal(401);
    expect(await fromPage('DELETE', accessToken)).to.equal(401);
    expect(failedRequests).to.deep.equal([]);
  });

  it('comes back with the error and the sign-in button when the user cancels', async () => {
    await page.goto(`${app.url}/`);
    await page.click('#sign-in');
    await page.waitForURL(`${stack.url}/auth/authorize?**`);
    await page.click('button[value="cancel"]');
    await page.waitForURL(`${app.url}/`);
    await page.waitForSelector('#signed-out:not([hidden])');
    expect(await page.textContent('#error')).to.equal('access_denied: the user cancelled the sign-in');
  });

  it('is refused by the API when its access token is replaced by its ID token', async () => {
    await page.goto(`${app.url}/`);
    await page.click('#sign-in');
    await page.waitForURL(`${stack.url}/auth/authorize?**`);
    await page.fill('#username', 'carol');
    await page.fill('#password', PASSWORD);
    const tokenResponse = page.waitForResponse(
      (response) => response.url() === `${stack.url}/auth/token` && response.request().method() === 'POST',
    );
    await page.click('button[type="submit"]:not([value="cancel"])');
    const tokens = (await (await tokenResponse).json()) as { access_token: string; id_token: string };
    const call = (token: string) =>
      fetch(`${stack.url}/messages`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await call(tokens.access_token)).to.equal(200);
    expect(await call(tokens.id_token)).to.equal(401);
  });
});
