import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { DependencyError } from '../../../functions/authorizer/errors';
import { createRemoteJwks } from '../../../functions/authorizer/remote-jwks';
import type { SigningKey } from './support';
import { jwksOf, makeKey, sign } from './support';

const OPTIONS = { timeoutMs: 500, minIntervalMs: 200, maxAgeMs: 60_000 };

describe('createRemoteJwks', () => {
  let key: SigningKey;
  let server: Server;
  let url: string;
  const hits: string[] = [];
  let reply: (path: string) => { status: number; headers?: Record<string, string>; body: string };

  before(async () => {
    key = await makeKey('ES256', 'k-1');
    server = createServer((request, response) => {
      hits.push(request.url ?? '');
      const { status, headers, body } = reply(request.url ?? '');
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    hits.length = 0;
    reply = () => ({ status: 200, body: JSON.stringify(jwksOf(key)) });
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const verifyWith = async (getKey: ReturnType<typeof createRemoteJwks>) =>
    jwtVerify(await sign(key, { sub: 'u' }), getKey, { algorithms: ['ES256'] });

  it('fetches once for many first uses at the same moment', async () => {
    const getKey = createRemoteJwks(`${url}/jwks`, OPTIONS);
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyWith(getKey)));
    expect(results.map((result) => result.payload.sub)).to.deep.equal(Array(10).fill('u'));
    expect(hits).to.deep.equal(['/jwks']);
  });

  it('never follows a redirect: another host could serve keys', async () => {
    reply = (path) =>
      path === '/jwks'
        ? { status: 302, headers: { location: `${url}/elsewhere` }, body: '' }
        : { status: 200, body: JSON.stringify(jwksOf(key)) };
    const error: unknown = await verifyWith(createRemoteJwks(`${url}/jwks`, OPTIONS)).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DependencyError).with.property('code', 'JWKS_UNAVAILABLE');
    expect(hits).to.deep.equal(['/jwks']);
  });

  it('refuses a key set over 512 KB as an outage', async () => {
    const padded = { ...jwksOf(key), padding: 'x'.repeat(512 * 1024) };
    reply = () => ({ status: 200, body: JSON.stringify(padded) });
    const error: unknown = await verifyWith(createRemoteJwks(`${url}/jwks`, OPTIONS)).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DependencyError).with.property('message', `JWKS unavailable: ${url}/jwks`);
  });

  it('retries a failed fetch no sooner than the interval', async () => {
    reply = () => ({ status: 503, body: '{}' });
    const getKey = createRemoteJwks(`${url}/jwks`, OPTIONS);
    const started = performance.now();
    for (let i = 0; i < 2; i++) {
      expect(await verifyWith(getKey).catch((e: unknown) => e)).to.be.instanceOf(DependencyError);
    }
    expect(hits).to.deep.equal(['/jwks', '/jwks']);
    expect(performance.now() - started).to.be.at.least(OPTIONS.minIntervalMs - 5);
  });
});
