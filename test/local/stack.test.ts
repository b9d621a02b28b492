import { expect } from 'chai';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestLog } from '../../local/gateway';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { localClients } from '../../local/dynamodb';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';

const SCOPES_FILE = join(__dirname, '../../scopes.yaml');
const ADMIN_PASSWORD = 'admin password for tests';
const PASSWORD = 'a long enough password';
/** scrypt at its cheapest allowed cost: the tests log in many times. */
const CHEAP_SCRYPT = { logN: 10, r: 8, p: 1 };
const TTL_SECONDS = 60;

interface Tokens {
  access_token: string;
  refresh_token: string;
  scope: string;
}

/** A client of the local API over real HTTP. */
function client(url: string) {
  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    form,
    call,
    signUp: async (username: string) => {
      const response = await form('/auth/signup', { username, password: PASSWORD });
      expect(response.status).to.equal(201);
      return (await response.json()) as { sub: string };
    },
    logIn: async (username: string, password = PASSWORD) => {
      const response = await form('/auth/token', {
        grant_type: 'password',
        client_id: 'local',
        username,
        password,
      });
      expect(response.status, await response.clone().text()).to.equal(200);
      return (await response.json()) as Tokens;
    },
  };
}

describe('startLocalStack', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  let clockOffset = 0;
  const logs: RequestLog[] = [];

  before(async () => {
    stack = await startLocalStack({
      port: 0,
      scopesFile: SCOPES_FILE,
      ttlSeconds: TTL_SECONDS,
      now: () => Date.now() + clockOffset,
      adminPassword: ADMIN_PASSWORD,
      passwordParams: CHEAP_SCRYPT,
      watch: false,
      log: (entry) => logs.push(entry),
    });
    api = client(stack.url);
  });

  after(() => stack.close());

  it('keeps its DynamoDB away from browsers and from callers without its random access key', async () => {
    const { endpoint } = stack.dynamo;
    const body = JSON.stringify({});
    const headers = {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'DynamoDB_20120810.ListTables',
    };
    const preflight = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).to.equal(403);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal(null);
    const fromPage = await fetch(endpoint, {
      method: 'POST',
      headers: { ...headers, Origin: 'https://evil.example' },
      body,
    });
    expect(fromPage.status).to.equal(403);
    expect(fromPage.headers.get('access-control-allow-origin')).to.equal(null);
    // The well-known credentials of local DynamoDB tools do not work.
    const guessed = localClients(endpoint);
    try {
      const error = await guessed.client.send(new ListTablesCommand({})).catch((caught: unknown) => caught);
      expect(error).to.have.property('name', 'UnrecognizedClientException');
    } finally {
      guessed.client.destroy();
    }
    expect(stack.dynamo.accessKeyId).to.match(/^[A-Za-z0-9_-]{32}$/);
    const own = await stack.dynamo.client.send(new ListTablesCommand({}));
    expect(own.TableNames).to.include(stack.tableName);
  });

  it('refuses a rebound Host name on the API and the explorer', async () => {
    for (const path of ['/_explorer/', '/_explorer/api/model', '/.well-known/jwks.json']) {
      const answer = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${stack.url}${path}`,
          { headers: { Host: 'rebind.attacker.example' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer, path).to.equal(403);
    }
    expect((await fetch(`${stack.url}/_explorer/`)).status).to.equal(200);
  });

  it('listens on loopback and seeds the admin and the local client', () => {
    expect(stack.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.seed).to.deep.equal({ adminCreated: true, clientCreated: true });
  });

  it('lets a new user sign up, log in and call the user routes', async () => {
    const { sub } = await api.signUp('alice');
    const { access_token: token, scope } = await api.logIn('alice');
    expect(scope).to.equal('User');
    const posted = await api.call('POST', '/messages', token, { text: 'hello' });
    expect(posted.status).to.equal(201);
    const listed = await api.call('GET', '/messages', token);
    expect(listed.status).to.equal(200);
    expect(JSON.stringify(await listed.json())).to.contain('hello');
    const profile = await api.call('GET', `/users/${sub}`, token);
    expect(profile.status).to.equal(200);
    expect(await profile.json()).to.include({ sub, username: 'alice' });
  });

  it('refuses a user the admin routes and other users with 403', async () => {
    const { sub: other } = await api.signUp('bob');
    await api.signUp('carol');
    const { access_token: token } = await api.logIn('carol');
    for (const [method, path] of [
      ['GET', '/users'],
      ['GET', `/users/${other}`],
      ['PUT', `/users/${other}/roles`],
      ['DELETE', '/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ]) {
      const response = await api.call(
        method!,
        path!,
        token,
        method === 'PUT' ? { roles: ['Admin'] } : undefined,
      );
      expect(response.status, `${method} ${path}`).to.equal(403);
      expect(await response.json()).to.deep.equal({ message: 'Forbidden' });
    }
  });

  it('lets the seeded admin log in and call the admin routes', async () => {
    const { access_token: token, scope } = await api.logIn('admin', ADMIN_PASSWORD);
    expect(scope.split(' ')).to.include('Admin');
    // One scan page of the whole (still small) table: the listing filters users out of every item kind.
    const users = await api.call('GET', '/users?limit=100', token);
    expect(users.status).to.equal(200);
    expect(JSON.stringify(await users.json())).to.contain('alice');
    const { sub } = await api.signUp('dave');
    const promoted = await api.call('PUT', `/users/${sub}/roles`, token, { roles: ['Admin'] });
    expect(promoted.status).to.equal(200);
    expect(await promoted.json()).to.deep.include({ roles: ['Admin'] });
  });

  it('issues a new access token for a refresh token', async () => {
    await api.signUp('erin');
    const { refresh_token: refreshToken } = await api.logIn('erin');
    const response = await api.form('/auth/token', {
      grant_type: 'refresh_token',
      client_id: 'local',
      refresh_token: refreshToken,
    });
    expect(response.status).to.equal(200);
    const refreshed = (await response.json()) as Tokens;
    expect(refreshed.refresh_token).to.not.equal(refreshToken);
    expect((await api.call('GET', '/messages', refreshed.access_token)).status).to.equal(200);
  });

  it('invokes the authorizer once for one token used on many routes', async () => {
    const { sub } = await api.signUp('frank');
    const { access_token: token } = await api.logIn('frank');
    const before = stack.stats.token;
    const statuses: number[] = [];
    for (const [method, path] of [
      ['GET', '/messages'],
      ['POST', '/messages'],
      ['GET', `/users/${sub}`],
      ['GET', '/users'],
      ['GET', '/messages'],
      ['DELETE', '/messages/01ARZ3NDEKTSV4RRFFQ69G5FAV'],
      ['GET', `/users/${sub}`],
    ]) {
      const response = await api.call(method!, path!, token, method === 'POST' ? { text: 'hi' } : undefined);
      statuses.push(response.status);
    }
    expect(statuses).to.deep.equal([200, 201, 200, 403, 200, 403, 200]);
    expect(stack.stats.token - before).to.equal(1);
    expect(logs.slice(-7).map((entry) => entry.cache)).to.deep.equal([
      'miss',
      ...Array<string>(6).fill('hit'),
    ]);
  });

  it('serves a revoked token until its cache entry expires, then answers 401', async () => {
    await api.signUp('grace');
    const { access_token: token } = await api.logIn('grace');
    expect((await api.call('GET', '/messages', token)).status).to.equal(200);
    const revoked = await api.form('/auth/revoke', { token, client_id: 'local' });
    expect(revoked.status).to.equal(200);
    // API Gateway keeps the cached Allow for the TTL: the revocation is not seen yet.
    expect((await api.call('GET', '/messages', token)).status).to.equal(200);
    clockOffset += TTL_SECONDS * 1000;
    const refused = await api.call('GET', '/messages', token);
    expect(refused.status).to.equal(401);
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="scopegate"');
  });

  it('takes a role away from a live token within the cache TTL, so a demoted Admin cannot restore it', async () => {
    const { access_token: admin } = await api.logIn('admin', ADMIN_PASSWORD);
    const { sub } = await api.signUp('ivan');
    expect((await api.call('PUT', `/users/${sub}/roles`, admin, { roles: ['Admin'] })).status).to.equal(200);
    const { access_token: token, scope } = await api.logIn('ivan');
    // Written with the role Admin inherits; the authorizer drops Admin once it is taken away.
    expect(scope).to.equal('User Admin');
    expect((await api.call('GET', '/users', token)).status).to.equal(200);
    expect((await api.call('PUT', `/users/${sub}/roles`, admin, { roles: ['User'] })).status).to.equal(200);
    clockOffset += TTL_SECONDS * 1000;
    expect((await api.call('GET', '/users', token)).status).to.equal(403);
    const restore = await api.call('PUT', `/users/${sub}/roles`, token, { roles: ['Admin'] });
    expect(restore.status).to.equal(403);
    const profile = (await (await api.call('GET', `/users/${sub}`, admin)).json()) as { roles: string[] };
    expect(profile.roles).to.deep.equal(['User']);
  });

  it('answers malformed requests without reaching a function', async () => {
    const before = stack.stats.token;
    expect((await api.call('GET', '/messages', undefined)).status).to.equal(401);
    const basic = await fetch(`${stack.url}/messages`, { headers: { Authorization: 'Basic YWxpY2U6cHc=' } });
    expect(basic.status).to.equal(401);
    expect(stack.stats.token - before).to.equal(0);
    expect((await api.call('GET', '/messages', 'not.a.jwt')).status).to.equal(401);
    expect(stack.stats.token - before).to.equal(1);
    const undeclared = await api.call('GET', '/admin', undefined);
    expect(undeclared.status).to.equal(403);
    expect(undeclared.headers.get('x-amzn-errortype')).to.equal('MissingAuthenticationTokenException');
  });

  it('passes a bad body through to the function, which answers 400', async () => {
    await api.signUp('heidi');
    const { access_token: token } = await api.logIn('heidi');
    const response = await fetch(`${stack.url}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{"text":',
    });
    expect(response.status).to.equal(400);
  });

  it('answers a failed client authentication with a 400 body, so no challenge header is lost on the way', async () => {
    const wrongSecret = await fetch(`${stack.url}/auth/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from('local:not-a-secret').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const unknown = await api.form('/auth/token', { grant_type: 'password', client_id: 'nobody' });
    for (const response of [wrongSecret, unknown]) {
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
      const names = [...response.headers.keys()];
      expect(names.filter((name) => /www-authenticate/i.test(name))).to.deep.equal([]);
    }
    // The gateway's own 401 carries its challenge.
    const refused = await api.call('GET', '/messages', 'not.a.jwt');
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="scopegate"');
  });

  it('answers a CORS preflight without the authorizer', async () => {
    const before = stack.stats.token;
    const response = await fetch(`${stack.url}/messages`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get('access-control-allow-methods')).to.equal('GET,POST,OPTIONS');
    expect(response.headers.get('access-control-allow-origin')).to.equal('*');
    expect(stack.stats.token).to.equal(before);
  });
});

describe('startLocalStack with a scopes file that changes', () => {
  let dir: string;
  let stack: LocalStack;
  const notices: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scopegate-local-'));
    await copyFile(SCOPES_FILE, join(dir, 'scopes.yaml'));
    stack = await startLocalStack({
      port: 0,
      scopesFile: join(dir, 'scopes.yaml'),
      passwordParams: CHEAP_SCRYPT,
      adminPassword: ADMIN_PASSWORD,
      notify: (message) => notices.push(message),
    });
  });

  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Waits for the watcher (debounced) to act. */
  async function until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(condition()).to.equal(true);
  }

  it('serves a grant added to the file while running, and keeps the model on a bad edit', async () => {
    const api = client(stack.url);
    await api.signUp('ivan');
    const { access_token: token } = await api.logIn('ivan');
    expect((await api.call('GET', '/users', token)).status).to.equal(403);

    const source = await readFile(join(dir, 'scopes.yaml'), 'utf8');
    const granted = source.replace(
      '      - POST /messages\n',
      '      - POST /messages\n      - GET /users\n',
    );
    expect(granted).to.not.equal(source);
    const first = stack.model();
    await writeFile(join(dir, 'scopes.yaml'), granted);
    await until(() => stack.model() !== first);
    // A reload is a new deployment: the authorizer cache starts empty, so the new grant shows at once.
    expect((await api.call('GET', '/users', token)).status).to.equal(200);

    const second = stack.model();
    await writeFile(join(dir, 'scopes.yaml'), granted.replace('GET /users\n', 'FETCH /users\n'));
    await until(() => notices.some((notice) => notice.includes('not reloaded')));
    expect(stack.model()).to.equal(second);
    expect(notices.at(-1)).to.match(/scopes\.yaml:\d+:\d+: .*FETCH/);
    expect((await api.call('GET', '/users', token)).status).to.equal(200);

    // Undoing the bad edit is acknowledged, though the model it compiles to is the running one.
    const seen = notices.length;
    await writeFile(join(dir, 'scopes.yaml'), granted);
    await until(() => notices.length > seen);
    expect(notices.slice(seen)).to.deep.equal([
      `scopes.yaml: fixed; it compiles to the running model again, nothing to reload`,
    ]);
    expect(stack.model()).to.equal(second);
  });
});

describe('startLocalStack in OIDC mode', () => {
  const AUDIENCE = 'scopegate-oidc-test';
  let jwksServer: Server;
  let issuer: string;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  let stack: LocalStack;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
    });
    // A stub identity provider: its JWKS on loopback, nothing else.
    jwksServer = createServer((req, res) => {
      res.writeHead(req.url === '/jwks.json' ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(req.url === '/jwks.json' ? jwks : '{}');
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    stack = await startLocalStack({
      port: 0,
      scopesFile: SCOPES_FILE,
      watch: false,
      identity: {
        mode: 'oidc',
        issuer,
        audience: AUDIENCE,
        jwksUri: `${issuer}/jwks.json`,
        algorithms: ['RS256'],
      },
    });
  });

  after(async () => {
    await stack.close();
    jwksServer.closeAllConnections();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const token = (claims: Record<string, unknown>, key = signingKey, audience = AUDIENCE) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('oidc-user-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  it('seeds nothing: the provider owns the users', () => {
    expect(stack.seed).to.equal(undefined);
  });

  it("grants the provider's roles claim and refuses what it does not grant", async () => {
    const api = client(stack.url);
    const user = await token({ scope: 'User' });
    expect((await api.call('GET', '/messages', user)).status).to.equal(200);
    // Allowed by the `{userId=sub}` grant; the user lives at the provider, not in the table.
    expect((await api.call('GET', '/users/oidc-user-1', user)).status).to.equal(404);
    expect((await api.call('GET', '/users/someone-else', user)).status).to.equal(403);
    expect((await api.call('GET', '/users', user)).status).to.equal(403);
    const admin = await token({ scope: 'Admin' });
    expect((await api.call('GET', '/users', admin)).status).to.equal(200);
  });

  it('answers 401 for a token signed by another key or for another audience', async () => {
    const api = client(stack.url);
    expect((await api.call('GET', '/messages', await token({ scope: 'User' }, strangerKey))).status).to.equal(
      401,
    );
    expect(
      (await api.call('GET', '/messages', await token({ scope: 'User' }, signingKey, 'other'))).status,
    ).to.equal(401);
  });
});

describe('startLocalStack with --data', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scopegate-data-'));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps users, the admin and the signing key across restarts', async () => {
    const options = {
      port: 0,
      scopesFile: SCOPES_FILE,
      dataDir: dir,
      watch: false,
      passwordParams: CHEAP_SCRYPT,
    };
    const first = await startLocalStack(options);
    let token: string;
    try {
      expect(first.seed?.generatedPassword).to.be.a('string');
      const api = client(first.url);
      await api.signUp('judy');
      token = (await api.logIn('judy')).access_token;
    } finally {
      await first.close();
    }
    const second = await startLocalStack({ ...options, port: Number(new URL(first.url).port) });
    try {
      expect(second.seed).to.deep.equal({ adminCreated: false, clientCreated: false });
      const api = client(second.url);
      await api.logIn('judy');
      // Same issuer (same port) and same key: a token from before the restart still verifies.
      expect((await api.call('GET', '/messages', token)).status).to.equal(200);
    } finally {
      await second.close();
    }
  });

  it('keeps the data folder owner-only: folders 0700, files 0600, old ones too', async () => {
    await writeFile(join(dir, 'left-over.txt'), 'x', { mode: 0o644 });
    const stack = await startLocalStack({
      port: 0,
      scopesFile: SCOPES_FILE,
      dataDir: dir,
      watch: false,
      passwordParams: CHEAP_SCRYPT,
    });
    try {
      await client(stack.url).signUp('mode-check');
      const modes: string[] = [];
      const walk = async (folder: string): Promise<void> => {
        modes.push(`dir ${((await stat(folder)).mode & 0o777).toString(8)}`);
        for (const entry of await readdir(folder, { withFileTypes: true })) {
          const path = join(folder, entry.name);
          if (entry.isDirectory()) await walk(path);
          else modes.push(`file ${((await stat(path)).mode & 0o777).toString(8)}`);
        }
      };
      await walk(dir);
      expect(modes.length).to.be.greaterThan(5);
      expect([...new Set(modes)].sort()).to.deep.equal(['dir 700', 'file 600']);
    } finally {
      await stack.close();
    }
  });
});

describe('startLocalStack with a route that needs the per-route authorizer', () => {
  // The User Allow on GET /messages/{path+} would also reach GET /messages/private/{owner}, which Owner holds
  // only for their own sub: the compiler gives that route the per-route authorizer.
  const PER_ROUTE_SCOPES = `version: 1
routes:
  POST /auth/signup: auth
  POST /auth/token: auth
  GET /messages/{path+}: messages
  GET /messages/private/{owner}: messages
  PUT /users/{userId}/roles: users
public:
  - POST /auth/signup
  - POST /auth/token
roles:
  User:
    grants:
      - GET /messages/{path+}
  Owner:
    grants:
      - GET /messages/private/{owner=sub}
  Admin:
    grants:
      - PUT /users/{userId}/roles
quotas:
  authorizers: 2
`;
  let dir: string;
  let stack: LocalStack;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scopegate-per-route-'));
    await writeFile(join(dir, 'scopes.yaml'), PER_ROUTE_SCOPES);
    stack = await startLocalStack({
      port: 0,
      scopesFile: join(dir, 'scopes.yaml'),
      watch: false,
      adminPassword: ADMIN_PASSWORD,
      passwordParams: CHEAP_SCRYPT,
    });
  });

  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a REQUEST event per token and route, and evaluates the cached answer per path value', async () => {
    expect(stack.model().routes.find((route) => route.path === '/messages/private/{owner}')?.access).to.equal(
      'route',
    );
    const api = client(stack.url);
    const { sub } = await api.signUp('olivia');
    const { access_token: adminToken } = await api.logIn('admin', ADMIN_PASSWORD);
    const promoted = await api.call('PUT', `/users/${sub}/roles`, adminToken, { roles: ['User', 'Owner'] });
    expect(promoted.status).to.equal(200);
    const { access_token: token, scope } = await api.logIn('olivia');
    expect(scope.split(' ').sort()).to.deep.equal(['Owner', 'User']);

    const before = { ...stack.stats };
    // Reaches the function (which has no such route: 404), past the per-route authorizer.
    expect((await api.call('GET', `/messages/private/${sub}`, token)).status).to.equal(404);
    expect((await api.call('GET', '/messages/private/someone-else', token)).status).to.equal(403);
    expect((await api.call('GET', '/messages/a/b/c', token)).status).to.equal(404);
    expect(stack.stats.request - before.request).to.equal(1);
    expect(stack.stats.token - before.token).to.equal(1);
  });
});
