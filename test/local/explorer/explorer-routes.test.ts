// The explorer's HTTP API on the real local stack: model with ETag, diagnostics, callers decided by the authorizer.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelView } from '../../../local/explorer/explorer-model';
import type { CallerOutcome } from '../../../local/explorer/try-caller';
import { startLocalStack, type LocalStack } from '../../../local/stack';

const PASSWORD = 'a long enough password';

/** A greedy grant reaching a bound route: `GET /files/private/{owner}` needs the per-route authorizer. */
const SCOPES = `version: 1
routes:
  POST /auth/signup: auth
  POST /auth/token: auth
  GET /files/{path+}: messages
  GET /files/private/{owner}: messages
  GET /messages: messages
public:
  - POST /auth/signup
  - POST /auth/token
roles:
  User:
    grants:
      - GET /files/private/{owner=sub}
      - GET /messages
  Reader:
    grants:
      - GET /files/{path+}
quotas:
  authorizers: 2
`;

describe('explorer routes', () => {
  let dir: string;
  let scopesFile: string;
  let stack: LocalStack;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'explorer-routes-'));
    scopesFile = join(dir, 'scopes.yaml');
    await writeFile(scopesFile, SCOPES);
    stack = await startLocalStack({
      port: 0,
      scopesFile,
      adminPassword: 'admin password for tests',
      passwordParams: { logN: 10, r: 8, p: 1 },
      watch: false,
    });
  });

  after(async () => {
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/_explorer/${path}`, { headers });
  const postCaller = (body: string, type = 'application/json') =>
    fetch(`${stack.url}/_explorer/api/caller`, { method: 'POST', headers: { 'Content-Type': type }, body });

  async function userToken(username: string): Promise<{ token: string; sub: string }> {
    const form = (path: string, fields: Record<string, string>) =>
      fetch(`${stack.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const signup = await form('/auth/signup', { username, password: PASSWORD });
    expect(signup.status).to.equal(201);
    const { sub } = (await signup.json()) as { sub: string };
    const login = await form('/auth/token', {
      grant_type: 'password',
      client_id: 'local',
      username,
      password: PASSWORD,
    });
    expect(login.status).to.equal(200);
    return { token: ((await login.json()) as { access_token: string }).access_token, sub };
  }

  it('serves the page, its stylesheet and a type-free script from this origin only', async () => {
    const page = await get('');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.include("default-src 'none'; script-src 'self'");
    expect(await page.text()).to.include('<table id="matrix"');
    const script = await get('explorer.js');
    expect(script.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    const code = await script.text();
    expect(code).to.include('addEventListener');
    expect(code).to.not.match(/import type|: HTMLElement/);
    expect((await get('explorer.css')).status).to.equal(200);
  });

  it('answers 404 under /_explorer/ for anything else and leaves every other path to the gateway', async () => {
    const missing = await get('nothing-here');
    expect(missing.status).to.equal(404);
    expect(await missing.json()).to.deep.equal({
      ok: false,
      message: 'no explorer resource GET /_explorer/nothing-here',
    });
    const api = await fetch(`${stack.url}/nowhere`);
    expect(api.status).to.equal(403);
    expect(api.headers.get('x-amzn-errortype')).to.equal('MissingAuthenticationTokenException');
  });

  it('returns the matrix with an ETag, and 304 until the file changes', async () => {
    const first = await get('api/model');
    expect(first.status).to.equal(200);
    const etag = first.headers.get('etag')!;
    const view = (await first.json()) as ModelView;
    expect(view.ok).to.equal(true);
    if (!view.ok) return;
    expect(view.matrix.rows.map((r) => `${r.method} ${r.path} ${r.access}`)).to.include(
      'GET /files/private/{owner} route',
    );
    expect((await get('api/model', { 'If-None-Match': etag })).status).to.equal(304);

    await writeFile(scopesFile, SCOPES.replace('      - GET /messages\n', ''));
    const changed = await get('api/model', { 'If-None-Match': etag });
    expect(changed.status).to.equal(200);
    expect(changed.headers.get('etag')).to.not.equal(etag);
    await writeFile(scopesFile, SCOPES);
  });

  it('returns the diagnostics of a bad file with lines and columns', async () => {
    await writeFile(scopesFile, 'version: 1\nroutes:\n  GET /a: messages\n');
    try {
      const view = (await (await get('api/model')).json()) as ModelView;
      expect(view).to.deep.equal({
        ok: false,
        file: 'scopes.yaml',
        diagnostics: [
          {
            file: 'scopes.yaml',
            line: 3,
            column: 3,
            message:
              'route "GET /a" is private but no role is granted it; grant it to a role or list it under public',
          },
        ],
      });
    } finally {
      await writeFile(scopesFile, SCOPES);
    }
  });

  it("decides per-route routes with the REQUEST authorizer and the caller's own claim value", async () => {
    const { token, sub } = await userToken('ursula');
    const before = { ...stack.stats };
    const response = await postCaller(JSON.stringify({ token }));
    expect(response.status).to.equal(200);
    const outcome = (await response.json()) as CallerOutcome;
    if (!outcome.ok) throw new Error(outcome.message);
    const byRoute = Object.fromEntries(outcome.report.routes.map((r) => [`${r.method} ${r.path}`, r]));
    expect(byRoute['GET /files/private/{owner}']!.kind).to.equal('own');
    expect(byRoute['GET /files/private/{owner}']!.tried).to.deep.equal([
      { path: `/files/private/${sub}`, decision: 'Allowed' },
      { path: '/files/private/someone-else', decision: 'ImplicitlyDenied' },
    ]);
    expect(byRoute['GET /files/{path+}']!.kind).to.equal('denied');
    expect(byRoute['GET /messages']!.kind).to.equal('allowed');
    expect(byRoute['POST /auth/token']!.kind).to.equal('public');
    expect(stack.stats.token - before.token).to.equal(1);
    expect(stack.stats.request - before.request).to.equal(2);
    expect(outcome.report.roles).to.deep.equal(['User']);
    expect(outcome.report.budgetBytes).to.equal(8192);
    expect(outcome.report.resultBytes).to.be.within(100, 8192);
  });

  it("answers 401 with the authorizer's refusal for a bad token", async () => {
    const response = await postCaller(JSON.stringify({ token: 'not.a.token' }));
    expect(response.status).to.equal(401);
    expect(await response.json()).to.deep.equal({
      ok: false,
      status: 401,
      message: 'The authorizer refused this token: 401 Unauthorized.',
    });
  });

  it('accepts only a JSON body with a token', async () => {
    expect((await postCaller('token=x', 'application/x-www-form-urlencoded')).status).to.equal(415);
    expect((await postCaller('{"token":')).status).to.equal(400);
    expect((await postCaller('{}')).status).to.equal(400);
  });

  it('says why there is no diff outside a git repository', async () => {
    const view = (await (await get('api/diff')).json()) as { available: boolean; reason: string };
    expect(view.available).to.equal(false);
    expect(view.reason).to.match(/^no committed version: /);
  });
});
