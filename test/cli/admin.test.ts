import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runAdmin } from '../../cli/admin';
import type { Harness } from '../functions/auth/harness';
import { basic, json, startHarness } from '../functions/auth/harness';

describe('npm run admin', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function admin(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin([...args, '--table', h.table, '--endpoint', h.dynamo.endpoint], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: {},
    });
    return { code, out, err };
  }

  it('create-user generates a password, prints it once, and the user can log in', async function () {
    this.timeout(20_000);
    const result = await admin('create-user', '--username', 'Operator');
    expect(result.code).to.equal(0);
    expect(result.out[0]).to.match(/^created user operator \(sub [0-9a-f-]{36}\) with roles User$/);
    const password = /^password \(shown once\): (\S+)$/.exec(result.out[1] ?? '')?.[1];
    expect(password).to.have.length(24);
    expect((await h.login('operator', password)).scope).to.equal('User');
    expect(JSON.stringify(await h.items())).not.to.contain(password);
  });

  it('set-roles changes the roles a new login gets, checked against scopes.yaml', async () => {
    await h.signUp('promoted');
    const result = await admin('set-roles', '--username', 'promoted', '--roles', 'User,Admin');
    expect(result.code, result.err.join('\n')).to.equal(0);
    expect((await h.login('promoted')).scope).to.equal('User Admin');
    const unknown = await admin('set-roles', '--username', 'promoted', '--roles', 'Root');
    expect(unknown.code).to.equal(2);
    expect(unknown.err[0]).to.equal('admin: unknown role "Root". Expected one of: User, Admin');
  });

  it('disable-user ends logins and --enable restores them', async () => {
    const sub = json(await h.signUp('leaving')).sub as string;
    expect((await admin('disable-user', '--sub', sub)).code).to.equal(0);
    const refused = await h.token({
      grant_type: 'password',
      client_id: 'web',
      username: 'leaving',
      password: 'correct-horse-battery',
    });
    expect(json(refused).error).to.equal('invalid_grant');
    expect((await admin('disable-user', '--username', 'leaving', '--enable')).code).to.equal(0);
    expect((await h.login('leaving')).scope).to.equal('User');
  });

  it('create-client prints a generated secret once and stores only its hash', async () => {
    const result = await admin(
      'create-client',
      '--client-id',
      'reporting',
      '--grant-types',
      'client_credentials',
      '--roles',
      'Admin',
    );
    expect(result.code, result.err.join('\n')).to.equal(0);
    const secret = /^client secret \(shown once\): (\S+)$/.exec(result.out[1] ?? '')?.[1];
    expect(secret).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await h.items())).not.to.contain(secret);
    const response = await h.token(
      { grant_type: 'client_credentials' },
      { headers: { Authorization: basic('reporting', secret!) } },
    );
    expect(json(response).scope).to.equal('User Admin');
    const again = await admin(
      'create-client',
      '--client-id',
      'reporting',
      '--grant-types',
      'client_credentials',
      '--roles',
      'Admin',
    );
    expect(again.err[0]).to.equal('admin: client "reporting" already exists');
  });

  it('create-client --public makes a client without a secret', async () => {
    const result = await admin(
      'create-client',
      '--client-id',
      'spa',
      '--grant-types',
      'password,refresh_token',
      '--public',
    );
    expect(result.out).to.deep.equal(['created public client spa (password, refresh_token)']);
  });

  describe('refuses bad input with exit code 2 and a clear message', () => {
    const cases: [string[], string][] = [
      [[], 'admin: a command is required'],
      [
        ['drop-table'],
        'admin: unknown command "drop-table". Expected one of: create-user, set-roles, create-client, disable-user',
      ],
      [['create-user', '--nope'], "admin: Unknown option '--nope'"],
      [['create-user'], 'admin: --username is required'],
      [
        ['create-user', '--username', 'a b'],
        'admin: --username must be 3 to 128 of: letters, digits . _ @ + -',
      ],
      [
        ['create-user', '--username', 'shorty', '--password', 'short'],
        'admin: --password must have at least 12 characters',
      ],
      [
        ['set-roles', '--username', 'nobody-at-all', '--roles', 'User'],
        'admin: no user named "nobody-at-all"',
      ],
      [['disable-user', '--username', 'x', '--sub', 'y'], 'admin: give --username or --sub, not both'],
      [
        ['create-client', '--client-id', 'c', '--grant-types', 'implicit'],
        'admin: unknown grant type "implicit". Expected one of: password, refresh_token, client_credentials',
      ],
      [
        ['create-client', '--client-id', 'c', '--grant-types', 'client_credentials', '--public'],
        'admin: a --public client cannot use client_credentials',
      ],
      [
        ['create-client', '--client-id', 'c', '--grant-types', 'client_credentials'],
        'admin: a client_credentials client needs --roles',
      ],
      [
        ['create-client', '--client-id', 'bad id', '--grant-types', 'password'],
        'admin: --client-id must be 1 to 128 of: letters, digits . _ ~ -',
      ],
    ];
    for (const [args, message] of cases) {
      it(`${args.join(' ') || '(nothing)'}`, async () => {
        const before = (await h.items()).length;
        const result = await admin(...args);
        expect(result.code).to.equal(2);
        expect(result.err[0]).to.equal(message);
        expect((await h.items()).length).to.equal(before);
      });
    }
  });

  it('exits non-zero from the shell without a table', async function () {
    this.timeout(20_000);
    const run = promisify(execFile);
    const root = join(__dirname, '../..');
    let caught: { code?: number; stderr?: string } = {};
    await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'cli/admin.ts'), 'create-user', '--username', 'x'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
      },
    ).catch((error: { code?: number; stderr?: string }) => (caught = error));
    expect(caught.code).to.equal(2);
    expect(caught.stderr).to.contain('admin: --table (or SCOPEGATE_TABLE) is required');
  });
});
