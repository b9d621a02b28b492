// The README's examples are the shipped files' own output: each generated block is rebuilt and compared.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routes as messagesRoutes } from '../functions/messages/routes';
import { routes as usersRoutes } from '../functions/users/routes';
import { startLocalStack, type LocalStack } from '../local/stack';
import { blockOf, README, readmeBlocks, renderReadme, ROOT, SAMPLE_API } from './support/readme-blocks';

const ADMIN_PASSWORD = 'admin password for the readme';

describe('README.md', () => {
  const text = readFileSync(README, 'utf8');

  it('shows every generated example as the shipped files produce it now (npm run readme rewrites them)', async () => {
    const rendered = await renderReadme(text);
    for (const name of Object.keys(readmeBlocks())) {
      expect(blockOf(text, name), `README block "${name}" is out of date: run npm run readme`).to.equal(
        blockOf(rendered, name),
      );
    }
  });

  it('shows the shipped scopes.yaml and its matrix', () => {
    expect(blockOf(text, 'scopes.yaml')).to.contain(
      readFileSync(join(ROOT, 'scopes.yaml'), 'utf8').trimEnd(),
    );
    expect(blockOf(text, 'matrix')).to.match(/route +User +Admin/);
  });

  it('documents every route of the sample API', () => {
    expect(SAMPLE_API.map((request) => request.route)).to.deep.equal([...messagesRoutes, ...usersRoutes]);
  });

  describe('sample API requests, sent as documented', () => {
    let stack: LocalStack;
    let token: string;
    let sub: string;
    before(async () => {
      stack = await startLocalStack({
        port: 0,
        scopesFile: join(ROOT, 'scopes.yaml'),
        watch: false,
        adminPassword: ADMIN_PASSWORD,
        passwordParams: { logN: 10, r: 8, p: 1 },
      });
      const login = await fetch(`${stack.url}/auth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'local',
          username: 'admin',
          password: ADMIN_PASSWORD,
        }),
      });
      token = ((await login.json()) as { access_token: string }).access_token;
      sub = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
    });
    after(() => stack.close());

    it('answer with the documented status, in order', async () => {
      let messageId = '';
      for (const { route, example } of SAMPLE_API) {
        const [method, template] = route.split(' ') as [string, string];
        const path = template.replace('{messageId}', messageId).replace('{userId}', sub);
        const query = new URLSearchParams(example.query ?? {}).toString();
        const response = await fetch(`${stack.url}${path}${query === '' ? '' : `?${query}`}`, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(example.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(example.body === undefined ? {} : { body: JSON.stringify(example.body) }),
        });
        const body = await response.text();
        expect(response.status, `${route}: ${body}`).to.equal(example.status);
        if (route === 'POST /messages') messageId = (JSON.parse(body) as { messageId: string }).messageId;
      }
    });

    it('refuses a form body as documented', async () => {
      const response = await fetch(`${stack.url}/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: new URLSearchParams({ text: 'hello' }),
      });
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({ error: 'the body is not JSON' });
      expect(text).to.contain('anything else gets `400 {"error": "the body is not JSON"}`');
    });
  });
});
