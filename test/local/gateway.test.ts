import type {
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { createGateway, type Gateway, type LocalHandler, type RequestLog } from '../../local/gateway';
import type { LocalAuthorizer } from '../../local/gateway-authorizer';
import { compileScopes } from '../../policies/index';

// With one token-cached authorizer (quota 2), GET /files/private/{owner} and GET /users/{userId}/keys get the
// per-route authorizer; the rest the token one.
const SCOPES = `
version: 1
routes:
  GET /files/{path+}: files
  GET /files/private/{owner}: files
  PUT /files/private/{owner}: files
  GET /users/{userId}: users
  GET /users/{userId}/keys: users
  GET /health: files
public:
  - GET /health
roles:
  Reader:
    grants:
      - GET /files/{path+}
  Owner:
    grants:
      - '* /files/private/{owner=sub}'
      - GET /users/{userId=sub}
      - GET /users/{userId=sub}/keys
quotas:
  authorizers: 2
`;
const model = compileScopes(SCOPES, 'scopes.yaml', { functions: ['files', 'users'] });
const ARN = 'arn:aws:execute-api:local:000000000000:local/local';

type Answer = (event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent) => unknown;

/** An authorizer written for the test: records its events and answers what the test says. */
function scriptedAuthorizer(answer: Answer) {
  const events: (APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent)[] = [];
  const authorizer: LocalAuthorizer = {
    handleToken: (event) => {
      events.push(event);
      return Promise.resolve().then(() => answer(event));
    },
    handleRequest: (event) => {
      events.push(event);
      return Promise.resolve().then(() => answer(event));
    },
  };
  return { authorizer, events };
}

const allow = (...resources: string[]) => ({
  principalId: 'u1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources.map((r) => `${ARN}/${r}`) },
    ],
  },
  context: { sub: 'u1', roles: 'Reader', level: 3 },
});

const echo: LocalHandler = {
  handle: (event: APIGatewayProxyEvent) =>
    Promise.resolve({ statusCode: 200, headers: { 'X-Echo': 'yes' }, body: JSON.stringify(event) }),
};

/** A GET with headers fetch() would not send as given (Host, prototype names): status and body. */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createGateway', () => {
  let gateway: Gateway;
  let url: string;
  let now = 1_700_000_000_000;
  const logs: RequestLog[] = [];

  async function start(
    answer: Answer,
    handlers: Record<string, LocalHandler> = { files: echo, users: echo },
  ) {
    const scripted = scriptedAuthorizer(answer);
    gateway = createGateway({
      runtime: { model, authorizer: scripted.authorizer, handlers: new Map(Object.entries(handlers)) },
      ttlSeconds: 300,
      now: () => now,
      cors: { allowedOrigins: ['https://app.example'] },
      log: (entry) => logs.push(entry),
    });
    url = await gateway.listen(0);
    return scripted;
  }

  const get = (path: string, authorization?: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { ...(authorization === undefined ? {} : { Authorization: authorization }), ...init.headers },
    });

  afterEach(async () => {
    await gateway.close();
    logs.length = 0;
  });

  it('invokes the token authorizer with a TOKEN event holding the real method ARN', async () => {
    const { events } = await start(() => allow('GET/files/*'));
    const response = await get('/files/a/b.txt', 'Bearer t1');
    expect(response.status).to.equal(200);
    expect(events).to.deep.equal([
      { type: 'TOKEN', authorizationToken: 'Bearer t1', methodArn: `${ARN}/GET/files/a/b.txt` },
    ]);
  });

  it('hands the function the authorizer context as strings, with the principal', async () => {
    await start(() => allow('GET/files/*'));
    const event = (await (await get('/files/a/b.txt?x=1', 'Bearer t1')).json()) as APIGatewayProxyEvent;
    expect(event.requestContext.authorizer).to.deep.equal({
      principalId: 'u1',
      sub: 'u1',
      roles: 'Reader',
      level: '3',
    });
    expect(event).to.deep.include({
      resource: '/files/{path+}',
      pathParameters: { path: 'a/b.txt' },
      queryStringParameters: { x: '1' },
    });
  });

  it('caches a token policy and evaluates it again for every request ARN', async () => {
    const { events } = await start(() => allow('GET/files/public/*'));
    expect((await get('/files/public/a', 'Bearer t1')).status).to.equal(200);
    const denied = await get('/files/secret/a', 'Bearer t1');
    expect(denied.status).to.equal(403);
    expect(await denied.json()).to.deep.equal({ message: 'Forbidden' });
    expect(denied.headers.get('x-amzn-errortype')).to.equal('AccessDeniedException');
    expect(events).to.have.length(1);
    expect(logs.map((l) => [l.status, l.cache])).to.deep.equal([
      [200, 'miss'],
      [403, 'hit'],
    ]);
  });

  it('asks the authorizer again once the TTL has passed', async () => {
    const { events } = await start(() => allow('GET/files/*'));
    await get('/files/x/y', 'Bearer t1');
    now += 299_000;
    await get('/files/x/y', 'Bearer t1');
    now += 1_000;
    await get('/files/x/y', 'Bearer t1');
    expect(events).to.have.length(2);
  });

  it('invokes the per-route authorizer with a REQUEST event, cached per token, method and resource path', async () => {
    const { events } = await start(() => allow('GET/files/private/u1', 'GET/users/u1/keys'));
    expect((await get('/files/private/u1', 'Bearer t1')).status).to.equal(200);
    // Same route template, other value: the cached answer is evaluated against the new ARN.
    expect((await get('/files/private/u2', 'Bearer t1')).status).to.equal(403);
    expect((await get('/users/u1/keys', 'Bearer t1')).status).to.equal(200);
    expect(events).to.have.length(2);
    const first = events[0] as APIGatewayRequestAuthorizerEvent;
    expect(first).to.deep.include({
      type: 'REQUEST',
      methodArn: `${ARN}/GET/files/private/u1`,
      resource: '/files/private/{owner}',
      path: '/files/private/u1',
      httpMethod: 'GET',
      pathParameters: { owner: 'u1' },
    });
    expect(
      Object.entries(first.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization'),
    ).to.deep.equal(['Authorization', 'Bearer t1']);
  });

  it('lets an explicit Deny win over an Allow', async () => {
    await start(() => {
      const result = allow('GET/files/*');
      result.policyDocument.Statement.push({
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        Resource: [`${ARN}/GET/files/secret/*`],
      });
      return result;
    });
    expect((await get('/files/secret/a', 'Bearer t1')).status).to.equal(403);
    expect(logs[0]).to.include({ status: 403, detail: 'explicit deny' });
  });

  it('answers 401 with WWW-Authenticate when the authorizer fails with exactly Unauthorized', async () => {
    const { events } = await start(() => {
      throw new Error('Unauthorized');
    });
    const response = await get('/files/x/y', 'Bearer bad', { headers: { Origin: 'https://app.example' } });
    expect(response.status).to.equal(401);
    expect(await response.json()).to.deep.equal({ message: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).to.equal('Bearer realm="scopegate"');
    expect(response.headers.get('access-control-allow-origin')).to.equal('https://app.example');
    expect(events).to.have.length(1);
  });

  it('renames WWW-Authenticate in a function’s response, as API Gateway does', async () => {
    const challenging: LocalHandler = {
      handle: () =>
        Promise.resolve({
          statusCode: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="files"', 'X-Kept': 'yes' },
          multiValueHeaders: { 'www-authenticate': ['Basic realm="a"', 'Bearer realm="b"'] },
          body: '{}',
        }),
    };
    await start(() => allow('*'), { files: echo, users: challenging });
    const response = await get('/users/u1', 'Bearer t1');
    expect(response.status).to.equal(401);
    expect(response.headers.get('www-authenticate')).to.equal(null);
    expect(response.headers.get('x-amzn-remapped-www-authenticate')).to.equal(
      'Basic realm="files", Basic realm="a", Bearer realm="b"',
    );
    expect(response.headers.get('x-kept')).to.equal('yes');
  });

  it('answers 401 without asking the authorizer when the header is missing or not a bearer token', async () => {
    const { events } = await start(() => allow('*'));
    expect((await get('/files/x/y')).status).to.equal(401);
    expect((await get('/files/x/y', 'Basic dXNlcjpwYXNz')).status).to.equal(401);
    expect((await get('/files/private/u1')).status).to.equal(401);
    expect(events).to.have.length(0);
  });

  const failures: [string, Answer][] = [
    ['any other error', () => Promise.reject(new Error('DynamoDB is down'))],
    ['an Unauthorized that differs in case', () => Promise.reject(new Error('unauthorized'))],
    ['a result without principalId', () => ({ ...allow('*'), principalId: undefined })],
    ['a result without policyDocument', () => ({ principalId: 'u1' })],
    ['a context value that is an object', () => ({ ...allow('*'), context: { claims: { sub: 'u1' } } })],
  ];
  for (const [what, answer] of failures) {
    it(`answers 500 with a null message for ${what}, and caches nothing`, async () => {
      const { events } = await start(answer);
      for (let i = 0; i < 2; i += 1) {
        const response = await get('/files/x/y', 'Bearer t1');
        expect(response.status).to.equal(500);
        expect(await response.json()).to.deep.equal({ message: null });
      }
      expect(events).to.have.length(2);
    });
  }

  it('calls a public route without the authorizer and passes the handler response through', async () => {
    const { events } = await start(() => allow('*'));
    const response = await get('/health');
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-echo')).to.equal('yes');
    expect(events).to.have.length(0);
    expect(logs[0]).to.include({ method: 'GET', path: '/health', status: 200, cache: 'none' });
  });

  it('answers an undeclared route or method 403 Forbidden without the authorizer', async () => {
    const { events } = await start(() => allow('*'));
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/health'],
      ['GET', '//health'],
    ] as const) {
      const response = await get(path, 'Bearer t1', { method });
      expect(response.status, `${method} ${path}`).to.equal(403);
      expect(response.headers.get('x-amzn-errortype')).to.equal('MissingAuthenticationTokenException');
    }
    expect(events).to.have.length(0);
  });

  it('answers a CORS preflight itself, echoing only an allowed origin', async () => {
    const { events } = await start(() => allow('*'));
    const allowed = await get('/files/private/u1', undefined, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example' },
    });
    expect(allowed.status).to.equal(200);
    expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example');
    expect(allowed.headers.get('access-control-allow-methods')).to.equal('GET,PUT,OPTIONS');
    expect(allowed.headers.get('access-control-allow-headers')).to.equal('Authorization,Content-Type');
    expect((await get('/nope', undefined, { method: 'OPTIONS' })).status).to.equal(403);
    expect(events).to.have.length(0);
  });

  it('answers 502 when the function throws or returns a malformed result', async () => {
    await start(() => allow('*'), {
      files: { handle: () => Promise.reject(new Error('boom')) },
      users: { handle: () => Promise.resolve({ statusCode: 'ok' }) },
    });
    const thrown = await get('/health');
    expect(thrown.status).to.equal(502);
    expect(await thrown.json()).to.deep.equal({ message: 'Internal server error' });
    expect((await get('/users/u1', 'Bearer t1')).status).to.equal(502);
  });

  it('answers 400 for a path parameter with a broken percent escape', async () => {
    const { events } = await start(() => allow('*'));
    expect((await get('/users/%E0%A4%A', 'Bearer t1')).status).to.equal(400);
    expect(events).to.have.length(0);
  });

  it('answers 413 for a body over 10 MB', async () => {
    await start(() => allow('*'));
    const response = await get('/health', undefined, { method: 'GET' });
    expect(response.status).to.equal(200);
    const large = await fetch(`${url}/files/private/u1`, {
      method: 'PUT',
      headers: { Authorization: 'Bearer t1' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(large.status).to.equal(413);
  });

  it('flushes the cache when a new runtime is served', async () => {
    const { authorizer, events } = scriptedAuthorizer(() => allow('GET/files/*'));
    await start(() => allow('GET/files/*'));
    gateway.setRuntime({ model, authorizer, handlers: new Map([['files', echo]]) });
    await get('/files/x/y', 'Bearer t1');
    gateway.setRuntime({ model, authorizer, handlers: new Map([['files', echo]]) });
    await get('/files/x/y', 'Bearer t1');
    expect(events).to.have.length(2);
  });

  it('passes prototype-named query and header names to the function as plain entries, on every route', async () => {
    await start(() => allow('GET/files/*'));
    for (const [path, headers] of [
      ['/health?constructor=1&__proto__=2&toString=3', { ['__proto__']: 'p', constructor: 'c' }],
      ['/files/a/b?constructor=1&hasOwnProperty=2', { ['__proto__']: 'p', Authorization: 'Bearer t1' }],
    ] as const) {
      const answer = await rawGet(url, path, headers);
      expect(answer.status, path).to.equal(200);
      const event = JSON.parse(answer.body) as APIGatewayProxyEvent;
      expect(Object.hasOwn(event.queryStringParameters!, 'constructor')).to.equal(true);
      expect(event.queryStringParameters!.constructor).to.equal('1');
      expect(event.multiValueQueryStringParameters!.constructor).to.deep.equal(['1']);
      expect(Object.hasOwn(event.headers, '__proto__')).to.equal(true);
      expect(event.multiValueHeaders.__proto__).to.deep.equal(['p']);
    }
    expect(Object.getPrototypeOf({})).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).constructor).to.equal(Object);
  });

  it('answers 414 for a method ARN over 1,600 bytes without asking the authorizer or caching anything', async () => {
    const { events } = await start(() => allow('GET/files/*'));
    const long = `/files/x/${'a'.repeat(1600)}`;
    const refused = await get(long, 'Bearer t1');
    expect(refused.status).to.equal(414);
    expect(await refused.json()).to.deep.equal({ message: 'Request-URI Too Long' });
    expect(events).to.have.length(0);
    expect(gateway.cache.size).to.equal(0);
    // The caller's own routes still work with the same token.
    expect((await get('/files/a/b', 'Bearer t1')).status).to.equal(200);
    // An ARN of 1,600 bytes exactly is still served (here from the cached policy).
    const prefix = `${ARN}/GET/files/x/`.length;
    const exact = await get(`/files/x/${'b'.repeat(1600 - prefix)}`, 'Bearer t1');
    expect(exact.status).to.equal(200);
    expect(events).to.have.length(1);
  });

  it('answers only loopback Host names and configured ones (DNS rebinding)', async () => {
    const { events } = await start(() => allow('GET/files/*'));
    const { port } = new URL(url);
    for (const host of ['rebind.attacker.example', `rebind.attacker.example:${port}`, '127.0.0.1.nip.io']) {
      const answer = await rawGet(url, '/health', { Host: host });
      expect(answer.status, host).to.equal(403);
      expect(JSON.parse(answer.body)).to.deep.equal({
        message: 'Host not allowed; add it to ALLOWED_HOSTS to serve it',
      });
    }
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `127.1.2.3:${port}`,
      `[::1]:${port}`,
      'app.localhost',
    ]) {
      expect((await rawGet(url, '/health', { Host: host })).status, host).to.equal(200);
    }
    expect(events).to.have.length(0);
    await gateway.close();
    gateway = createGateway({
      runtime: {
        model,
        authorizer: scriptedAuthorizer(() => null).authorizer,
        handlers: new Map([['files', echo]]),
      },
      allowedHosts: ['dev.example.test'],
    });
    url = await gateway.listen(0);
    expect((await rawGet(url, '/health', { Host: 'dev.example.test:3000' })).status).to.equal(200);
    expect((await rawGet(url, '/health', { Host: 'other.example.test' })).status).to.equal(403);
  });
});
