import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { runAdmin } from '../../cli/admin';
import { checkTokenState } from '../../functions/authorizer/token-state';
import type { Harness } from '../functions/auth/harness';
import { basic, json, startHarness } from '../functions/auth/harness';
import { authorizeEvent, pkce } from '../functions/auth/sign-in';
import { createUserStore } from '../../functions/users/user-store';
import { startLocalStack, type LocalStack } from '../../local/stack';

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
    expect(unknown.code).to.equal(1);
    expect(unknown.err).to.deep.equal(['admin: unknown role "Root". Expected one of: User, Admin']);
  });

  it('disable-user ends logins and --enable restores them', async () => {
    const sub = json(await h.signUp('leaving')).sub as string;
    const disabled = await admin('disable-user', '--sub', sub);
    expect(disabled.code).to.equal(0);
    expect(disabled.out).to.deep.equal([
      `user ${sub} disabled: logins and refreshes are refused now; an access token already checked by the ` +
        'authorizer keeps working until its cached answer expires (the authorizer cache TTL, 300 s by default)',
    ]);
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

  it("disable-client refuses the client's live tokens at the authorizer and new ones; --enable restores", async () => {
    const created = await admin(
      'create-client',
      '--client-id',
      'nightly',
      '--grant-types',
      'client_credentials',
      '--roles',
      'Admin',
    );
    const secret = /^client secret \(shown once\): (\S+)$/.exec(created.out[1] ?? '')?.[1] ?? '';
    const issue = () =>
      h.token({ grant_type: 'client_credentials' }, { headers: { Authorization: basic('nightly', secret) } });
    const token = json(await issue()).access_token as string;
    const state = async () =>
      (await checkTokenState(h.dynamo.documents, h.table, decodeJwt(token), Math.floor(h.clock.ms / 1000)))
        .verdict;
    expect(await state()).to.equal('OK');
    const result = await admin('disable-client', '--client-id', 'nightly');
    expect(result).to.deep.include({
      code: 0,
      out: ['client nightly disabled: every token of it is refused from now on'],
    });
    expect(await state()).to.equal('CLIENT_DISABLED');
    // invalid_client: 400, as every client authentication failure (RFC 6749 section 5.2).
    expect((await issue()).statusCode).to.equal(400);
    expect((await admin('disable-client', '--client-id', 'nightly', '--enable')).code).to.equal(0);
    expect(await state()).to.equal('OK');
    expect((await admin('disable-client', '--client-id', 'nobody')).err[0]).to.equal(
      'admin: no client "nobody"',
    );
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

  it('create-client --redirect-uris registers a client of the authorization code flow', async () => {
    const result = await admin(
      'create-client',
      '--client-id',
      'mobile',
      '--grant-types',
      'authorization_code,refresh_token',
      '--public',
      '--redirect-uris',
      'com.example.app:/callback,http://127.0.0.1/callback',
    );
    expect(result.out).to.deep.equal(['created public client mobile (authorization_code, refresh_token)']);
    const page = await h.handle(
      authorizeEvent({
        response_type: 'code',
        client_id: 'mobile',
        redirect_uri: 'http://127.0.0.1:49152/callback',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(page.statusCode, page.body).to.equal(200);
  });

  describe('refuses bad input with exit code 2 and a clear message', () => {
    const cases: [string[], string][] = [
      [[], 'admin: a command is required'],
      [
        ['drop-table'],
        'admin: unknown command "drop-table". Expected one of: create-user, set-roles, set-password, create-client, disable-user, disable-client, index-users',
      ],
      [['create-user', '--nope'], "admin: Unknown option '--nope'"],
      [['create-user'], 'admin: --username is required'],
      [
        ['create-user', '--username', 'a b'],
        'admin: --username must be 3 to 128 of: letters, digits . _ @ + - (letters compared without case)',
      ],
      [
        ['create-user', '--username', 'shorty', '--password', 'short'],
        'admin: --password must have at least 12 characters',
      ],
      [['disable-user', '--username', 'x', '--sub', 'y'], 'admin: give --username or --sub, not both'],
      [
        ['create-client', '--client-id', 'c', '--grant-types', 'implicit'],
        'admin: unknown grant type "implicit". Expected one of: authorization_code, password, refresh_token, client_credentials',
      ],
      [
        ['create-client', '--client-id', 'c', '--grant-types', 'authorization_code', '--public'],
        'admin: --redirect-uris goes with the authorization_code grant, and only with it',
      ],
      [
        [
          'create-client',
          '--client-id',
          'c',
          '--grant-types',
          'password',
          '--redirect-uris',
          'https://a.example/cb',
        ],
        'admin: --redirect-uris goes with the authorization_code grant, and only with it',
      ],
      [
        [
          'create-client',
          '--client-id',
          'c',
          '--grant-types',
          'authorization_code',
          '--redirect-uris',
          'http://app.example/cb',
        ],
        'admin: redirect URI "http://app.example/cb" must be https, http on a loopback host, or a private-use scheme such as com.example.app:',
      ],
      [
        [
          'create-client',
          '--client-id',
          'c',
          '--grant-types',
          'authorization_code',
          '--redirect-uris',
          'https://a.example/cb#x',
        ],
        'admin: redirect URI "https://a.example/cb#x" must not have a fragment',
      ],
      [
        [
          'create-client',
          '--client-id',
          'c',
          '--grant-types',
          'authorization_code',
          '--redirect-uris',
          '/callback',
        ],
        'admin: redirect URI "/callback" is not an absolute URI of at most 512 characters',
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
        expect(result.err).to.deep.equal([message, 'Run with --help for usage.']);
        expect((await h.items()).length).to.equal(before);
      });
    }
  });

  it('set-password gives a user a new password and forgets the old one', async function () {
    this.timeout(20_000);
    await h.signUp('forgetful');
    const result = await admin('set-password', '--username', 'forgetful');
    expect(result.code, result.err.join('\n')).to.equal(0);
    expect(result.out[0]).to.match(
      /^user [0-9a-f-]{36} has a new password \(signed-in sessions keep working until they end\)$/,
    );
    const password = /^password \(shown once\): (\S+)$/.exec(result.out[1] ?? '')?.[1];
    expect((await h.login('forgetful', password)).scope).to.equal('User');
    const old = await h.token({
      grant_type: 'password',
      client_id: 'web',
      username: 'forgetful',
      password: 'correct-horse-battery',
    });
    expect(json(old).error).to.equal('invalid_grant');
  });

  it('refuses what the table refuses with exit code 1 and no pointer to the usage', async () => {
    const cases: [string[], string][] = [
      [
        ['set-roles', '--username', 'nobody-at-all', '--roles', 'User'],
        'admin: no user named "nobody-at-all"',
      ],
      [['disable-user', '--sub', 'no-such-sub'], 'admin: no user with sub "no-such-sub"'],
      [['set-password', '--username', 'nobody-at-all'], 'admin: no user named "nobody-at-all"'],
    ];
    for (const [args, message] of cases) {
      const result = await admin(...args);
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.err, args.join(' ')).to.deep.equal([message]);
    }
  });

  it('index-users lists users written before the user index, once', async () => {
    const documents = h.dynamo.documents;
    const legacy = {
      pk: 'USER#legacy-1',
      sk: 'USER',
      sub: 'legacy-1',
      username: 'old-timer',
      roles: ['User'],
    };
    await documents.send(
      new PutCommand({ TableName: h.table, Item: { ...legacy, passwordHash: 'x', createdAt: 1 } }),
    );
    const store = createUserStore(documents, h.table);
    const names = async () => (await store.list(100)).users.map((user) => user.username);
    expect(await names()).not.to.include('old-timer');
    const first = await admin('index-users');
    expect(first.out).to.deep.equal(['1 user added to the user index']);
    expect(await names()).to.include('old-timer');
    expect((await admin('index-users')).out).to.deep.equal(['0 users added to the user index']);
  });

  it('names the table and where it looked when the table does not exist', async () => {
    const err: string[] = [];
    const code = await runAdmin(
      ['disable-user', '--sub', 'x', '--table', 'scopegate-typo', '--endpoint', h.dynamo.endpoint],
      { out: () => undefined, err: (line) => err.push(line), env: {} },
    );
    expect(code).to.equal(1);
    expect(err).to.deep.equal([`admin: table "scopegate-typo" not found at ${h.dynamo.endpoint}`]);
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
        // No running local stack to fall back to.
        env: { PATH: process.env.PATH ?? '', SCOPEGATE_LOCAL_STATE: join(root, 'no-such-state.json') },
      },
    ).catch((error: { code?: number; stderr?: string }) => (caught = error));
    expect(caught.code).to.equal(2);
    expect(caught.stderr).to.equal(
      'admin: --table (or SCOPEGATE_TABLE) is required: no local stack (npm start) is running\n' +
        'Run with --help for usage.\n',
    );
  });
});

describe('npm run admin with a running local stack', () => {
  let dir: string;
  let stack: LocalStack;
  let stateFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scopegate-admin-'));
    stateFile = join(dir, 'state.json');
    stack = await startLocalStack({
      port: 0,
      scopesFile: join(__dirname, '../../scopes.yaml'),
      watch: false,
      passwordParams: { logN: 10, r: 8, p: 1 },
      stateFile,
    });
  });
  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  const admin = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin(args, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: { SCOPEGATE_LOCAL_STATE: stateFile },
    });
    return { code, out, err };
  };

  it('finds its table without --endpoint or --table, and says which it used', async function () {
    this.timeout(20_000);
    const result = await admin('create-user', '--username', 'found', '--password', 'a long enough password');
    expect(result.code, result.err.join('\n')).to.equal(0);
    expect(result.err).to.deep.equal([
      `admin: the local stack at ${stack.url} (DynamoDB ${stack.dynamo.endpoint}, table scopegate-local)`,
    ]);
    const login = await fetch(`${stack.url}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'local',
        username: 'found',
        password: 'a long enough password',
      }),
    });
    expect(login.status).to.equal(200);
  });

  it('uses the local table for --endpoint naming the local DynamoDB', async () => {
    const result = await admin(
      'disable-user',
      '--username',
      'admin',
      '--enable',
      '--endpoint',
      stack.dynamo.endpoint,
    );
    expect(result.code, result.err.join('\n')).to.equal(0);
  });

  it('ignores a state file others may write', async () => {
    await chmod(stateFile, 0o666);
    try {
      const result = await admin('disable-user', '--username', 'found');
      expect(result.code).to.equal(2);
      expect(result.err[0]).to.equal(
        'admin: --table (or SCOPEGATE_TABLE) is required: no local stack (npm start) is running',
      );
    } finally {
      await chmod(stateFile, 0o600);
    }
  });

  it('does not use the local stack once it has stopped', async () => {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, unknown>;
    expect(state).to.deep.equal({
      pid: process.pid,
      url: stack.url,
      dynamoEndpoint: stack.dynamo.endpoint,
      dynamoAccessKeyId: stack.dynamo.accessKeyId,
      tableName: 'scopegate-local',
    });
    // A stack that died without cleaning up: its pid no longer runs.
    await writeFile(stateFile, JSON.stringify({ ...state, pid: 2 ** 22 + 1 }));
    const result = await admin('disable-user', '--username', 'found');
    expect(result.code).to.equal(2);
    expect(result.err[0]).to.equal(
      'admin: --table (or SCOPEGATE_TABLE) is required: no local stack (npm start) is running',
    );
  });
});
