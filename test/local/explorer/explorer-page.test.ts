// The explorer page in a real Chromium against the real local stack: matrix, why, callers, following the file.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadScopes } from '../../../infra/scopes';
import { LOCAL_FUNCTIONS } from '../../../local/runtime';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import type { CompiledModel } from '../../../policies/model';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ADMIN_PASSWORD = 'admin password for the explorer';
const PASSWORD = 'a long enough password';
const CHEAP_SCRYPT = { logN: 10, r: 8, p: 1 };

type Kind = 'allowed' | 'own' | 'denied' | 'public';

/** The oracle, straight from the compiled model: what a role holds on a route. */
function expectedKind(model: CompiledModel, routeId: number, roles: readonly string[]): Kind {
  const route = model.routes[routeId]!;
  if (route.access === 'public') return 'public';
  const kinds = model.roles
    .filter((role) => roles.includes(role.name))
    .map((role): Kind => {
      const grant = role.grants.find((g) => g.route === routeId);
      if (grant === undefined) return 'denied';
      return grant.bindings.every((binding) => Object.keys(binding).length > 0) ? 'own' : 'allowed';
    });
  if (kinds.includes('allowed')) return 'allowed';
  return kinds.includes('own') ? 'own' : 'denied';
}

const label = (model: CompiledModel, id: number): string =>
  `${model.routes[id]!.method} ${model.routes[id]!.path}`;

/** Every matrix cell as `route|role -> kind`. */
async function matrixCells(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#matrix tbody tr', (rows) =>
    Object.fromEntries(
      rows.flatMap((row) =>
        [...row.querySelectorAll<HTMLElement>('button[data-role]')].map((b) => [
          `${row.getAttribute('data-route')}|${b.dataset.role}`,
          b.dataset.kind ?? '',
        ]),
      ),
    ),
  );
}

/** The caller column: `route -> kind`. */
async function callerKinds(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#matrix tbody tr[data-caller]', (rows): Record<string, string> =>
    Object.fromEntries(
      rows.map((row) => [row.getAttribute('data-route') ?? '', row.getAttribute('data-caller') ?? '']),
    ),
  );
}

describe('access explorer page (Chromium)', function () {
  this.timeout(40_000);
  let dir: string;
  let scopesFile: string;
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let model: CompiledModel;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
    }
    dir = await mkdtemp(join(tmpdir(), 'explorer-page-'));
    scopesFile = join(dir, 'scopes.yaml');
    await copyFile(join(__dirname, '../../../scopes.yaml'), scopesFile);
    // A repository of its own, so "what changed" has a commit to compare with.
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
        cwd: dir,
        stdio: 'ignore',
      });
    git('init', '-q');
    git('add', 'scopes.yaml');
    git('commit', '-q', '-m', 'scopes');
    model = loadScopes(scopesFile, LOCAL_FUNCTIONS);
    stack = await startLocalStack({
      port: 0,
      scopesFile,
      dataDir: join(dir, 'data'),
      adminPassword: ADMIN_PASSWORD,
      passwordParams: CHEAP_SCRYPT,
      ttlSeconds: 1,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(`${stack.url}/_explorer/`);
    await page.waitForSelector('body[data-state="ok"]');
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('shows one cell per route and role, as the compiled model grants it', async () => {
    const expected: Record<string, string> = {};
    for (const route of model.routes) {
      for (const role of model.roles) {
        expected[`${label(model, route.id)}|${role.name}`] = expectedKind(model, route.id, [role.name]);
      }
    }
    expect(await matrixCells(page)).to.deep.equal(expected);
    expect(expected['GET /users/{userId}|User']).to.equal('own');
    expect(expected['DELETE /messages/{messageId}|Admin']).to.equal('allowed');
  });

  it('explains a cell: the grant pattern, the role it is inherited through, and the authorizer', async () => {
    await page.click('tr[data-route="GET /messages"] button[data-role="Admin"]');
    const why = await page.textContent('#why');
    expect(why).to.include('Admin on GET /messages: ✓ allowed');
    expect(why).to.include('granted by "GET /messages"');
    expect(why).to.include('declared by User, inherited through Admin → User');
    expect(why).to.include('token-cached authorizer');
  });

  it('moves between cells with the arrow keys and explains with Enter', async () => {
    await page.focus('tr[data-route="GET /users"] button[data-role="User"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const why = await page.textContent('#why');
    expect(why).to.include('User on GET /users/{userId}: ◐ own only');
    expect(why).to.include(`only where {userId} equals the caller's "sub" claim`);
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    expect(focused).to.equal('User on GET /users/{userId}: own only');
  });

  it('logs the seeded admin in through the form and highlights what the authorizer allows', async () => {
    await page.fill('#login-form input[name=username]', 'admin');
    await page.fill('#login-form input[name=password]', ADMIN_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#caller-summary');
    const expected = Object.fromEntries(
      model.routes.map((r) => [label(model, r.id), expectedKind(model, r.id, ['Admin'])]),
    );
    expect(await callerKinds(page)).to.deep.equal(expected);
    expect(await page.textContent('#policy-size')).to.match(
      /Largest token-cached authorizer result: \d+ of 8192 bytes/,
    );
    const policy = JSON.parse((await page.textContent('#policy-document'))!) as {
      Statement: { Effect: string }[];
    };
    expect(policy.Statement.some((s) => s.Effect === 'Allow')).to.equal(true);
  });

  it('shows a newly signed-up user their own profile only', async () => {
    const signup = await fetch(`${stack.url}/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'newcomer', password: PASSWORD }).toString(),
    });
    expect(signup.status).to.equal(201);
    await page.fill('#login-form input[name=username]', 'newcomer');
    await page.fill('#login-form input[name=password]', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() =>
      document.querySelector('#caller-summary')?.textContent?.includes('roles: User'),
    );
    const expected = Object.fromEntries(
      model.routes.map((r) => [label(model, r.id), expectedKind(model, r.id, ['User'])]),
    );
    expect(await callerKinds(page)).to.deep.equal(expected);
    expect(expected).to.include({
      'GET /users/{userId}': 'own',
      'GET /users': 'denied',
      'GET /messages': 'allowed',
    });
  });

  it('names the caller by user name and keeps the matrix whole at laptop and phone widths', async () => {
    await page.fill('#login-form input[name=username]', 'admin');
    await page.fill('#login-form input[name=password]', ADMIN_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() =>
      document.querySelector('#matrix .caller-col')?.textContent?.includes('admin'),
    );
    expect(await page.textContent('#matrix .caller-col')).to.equal('Caller: admin');
    expect(await page.getAttribute('#matrix .caller-col', 'title')).to.match(/^sub [0-9a-f-]{36}$/);
    try {
      for (const width of [820, 390]) {
        await page.setViewportSize({ width, height: 900 });
        const layout = await page.evaluate(() => {
          const wrap = document.querySelector<HTMLElement>('.table-wrap')!;
          const edge = wrap.getBoundingClientRect().right;
          const buttons = [...document.querySelectorAll<HTMLElement>('#matrix button')];
          return {
            pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
            tableOverflow: wrap.scrollWidth - wrap.clientWidth,
            cut: buttons
              .filter((b) => b.scrollWidth > b.clientWidth + 1 || b.getBoundingClientRect().right > edge + 1)
              .map((b) => b.getAttribute('aria-label')),
            callerCells: document.querySelectorAll('#matrix tbody button[data-caller-kind]').length,
          };
        });
        expect(layout, `${width} px`).to.deep.equal({
          pageOverflow: 0,
          tableOverflow: 0,
          cut: [],
          callerCells: model.routes.length,
        });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('names the caller of a pasted token by the user it belongs to', async () => {
    const login = await fetch(`${stack.url}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'local',
        username: 'newcomer',
        password: PASSWORD,
      }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    await page.fill('#token-form textarea', token);
    await page.click('#token-form button[type=submit]');
    await page.waitForFunction(() =>
      document.querySelector('#matrix .caller-col')?.textContent?.includes('newcomer'),
    );
    expect(await page.textContent('#matrix .caller-col')).to.equal('Caller: newcomer');
  });

  it('declares its own icon, so the browser never asks the API for /favicon.ico', async () => {
    const href = await page.$eval('link[rel=icon]', (link) => (link as HTMLLinkElement).href);
    expect(href).to.equal(`${stack.url}/_explorer/favicon.svg`);
    const icon = await fetch(href);
    expect(icon.status).to.equal(200);
    expect(icon.headers.get('content-type')).to.equal('image/svg+xml');
    expect(await icon.text()).to.match(/^<svg /);
  });

  it("refuses a pasted token that is not one, with the authorizer's 401", async () => {
    await page.fill('#token-form textarea', 'not.a.token');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#caller-result [role=alert]');
    expect(await page.textContent('#caller-result')).to.include('401 Unauthorized');
  });

  it('follows the file: a new grant shows up, and the diff marks it as a widening', async () => {
    const cell = 'tr[data-route="GET /users"] button[data-role="User"]';
    expect(await page.getAttribute(cell, 'data-kind')).to.equal('denied');
    const source = await readFile(scopesFile, 'utf8');
    await writeFile(
      scopesFile,
      source.replace('      - POST /messages\n', '      - POST /messages\n      - GET /users\n'),
    );
    await page.waitForSelector(`${cell}[data-kind="allowed"]`);
    await page.waitForSelector('#diff-table tr[data-kind="widen"]');
    expect(await page.textContent('#diff')).to.include('Access widens against HEAD:scopes.yaml');
  });

  it('shows the diagnostics of a bad file with line numbers instead of a stale matrix', async () => {
    await writeFile(scopesFile, 'version: 1\nroutes:\n  FETCH /a: messages\n');
    await page.waitForSelector('#diagnostics:not([hidden])');
    expect(await page.textContent('#diagnostic-list')).to.include(
      'scopes.yaml:3:3: method "FETCH" is not allowed. Expected one of: GET, POST, PUT, PATCH, DELETE, HEAD',
    );
    expect(await page.isVisible('#matrix')).to.equal(false);
  });
});
