// The local gateway's cost: req/s with a warm authorizer cache against a bare node:http server (same run), and
// authorizer invocations per 1,000 requests spread over every route.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createGateway, type LocalHandler } from '../local/gateway';
import { startLocalStack, type LocalStack } from '../local/stack';

const SCOPES_FILE = join(__dirname, '../scopes.yaml');
const REQUESTS = 20_000;
const CONCURRENCY = 32;
const ROUNDS = 3;
const SPREAD_REQUESTS = 1_000;
const SPREAD_USERS = 10;
const PASSWORD = 'a long enough password';

interface LoadResult {
  rps: number;
  statuses: Map<number, number>;
}

/**
 * The load loop, run in a worker thread so the client does not share the servers' event loop: `total` requests,
 * `concurrency` in flight over keep-alive sockets. Plain JavaScript, so the worker needs no TypeScript loader.
 */
const LOAD_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, path, headers, total, concurrency } = workerData;
const { hostname, port } = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const statuses = {};
let sent = 0;
const one = () => new Promise((resolve, reject) => {
  const req = request({ hostname, port, path, headers, agent }, (res) => {
    statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
    res.resume();
    res.on('end', resolve);
  });
  req.on('error', reject);
  req.end();
});
const worker = async () => { while (sent < total) { sent += 1; await one(); } };
const started = performance.now();
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  parentPort.postMessage({ seconds, statuses });
});
`;

async function load(
  url: string,
  path: string,
  headers: Record<string, string>,
  total: number,
): Promise<LoadResult> {
  const worker = new Worker(LOAD_LOOP, {
    eval: true,
    workerData: { url, path, headers, total, concurrency: CONCURRENCY },
  });
  const result = await new Promise<{ seconds: number; statuses: Record<string, number> }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  return {
    rps: total / result.seconds,
    statuses: new Map(Object.entries(result.statuses).map(([status, count]) => [Number(status), count])),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function form(
  url: string,
  path: string,
  fields: Record<string, string>,
): Promise<Record<string, string>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, string>;
}

async function userToken(stack: LocalStack, username: string): Promise<{ token: string; sub: string }> {
  const { sub } = await form(stack.url, '/auth/signup', { username, password: PASSWORD });
  const tokens = await form(stack.url, '/auth/token', {
    grant_type: 'password',
    client_id: 'local',
    username,
    password: PASSWORD,
  });
  return { token: tokens.access_token!, sub: sub! };
}

/** Throughput: the same trivial answer from a bare server and through the gateway (real model and authorizer). */
async function throughput(stack: LocalStack): Promise<string[]> {
  const body = JSON.stringify({ ok: true });
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    res.end(body);
  });
  // The integration answers at once, so the ratio measures the gateway itself, not DynamoDB.
  const trivial: LocalHandler = { handle: () => Promise.resolve({ statusCode: 200, body }) };
  const real = stack.runtime();
  const gateway = createGateway({
    runtime: { ...real, handlers: new Map([...real.handlers.keys()].map((name) => [name, trivial])) },
  });
  const bareUrl = await listen(bare);
  const gatewayUrl = await gateway.listen(0);
  const { token } = await userToken(stack, 'bench-throughput');
  const auth = { Authorization: `Bearer ${token}` };
  try {
    await load(gatewayUrl, '/messages', auth, 1_000);
    await load(bareUrl, '/messages', {}, 1_000);
    const bareRps: number[] = [];
    const gatewayRps: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      bareRps.push((await load(bareUrl, '/messages', {}, REQUESTS)).rps);
      const result = await load(gatewayUrl, '/messages', auth, REQUESTS);
      if (result.statuses.get(200) !== REQUESTS)
        throw new Error(`gateway answered ${JSON.stringify([...result.statuses])}`);
      gatewayRps.push(result.rps);
    }
    const floor = median(bareRps);
    const through = median(gatewayRps);
    return [
      `| bare node:http, same answer | ${floor.toFixed(0)} req/s | floor |`,
      `| gateway, warm authorizer cache (GET /messages) | ${through.toFixed(0)} req/s | ${(through / floor).toFixed(2)} of the floor (target >= 0.50) |`,
    ];
  } finally {
    await gateway.close();
    bare.closeAllConnections();
    await new Promise((resolve) => bare.close(resolve));
  }
}

/** Authorizer invocations: 1,000 real requests, round-robin over every route, from several users. */
async function invocations(stack: LocalStack): Promise<string[]> {
  const users = await Promise.all(
    Array.from({ length: SPREAD_USERS }, (_, index) => userToken(stack, `bench-spread-${index}`)),
  );
  const routes = stack.model().routes;
  const protectedRoutes = routes.filter((route) => route.access !== 'public').length;
  const before = { ...stack.stats };
  const started = performance.now();
  for (let index = 0; index < SPREAD_REQUESTS; index += 1) {
    const route = routes[index % routes.length]!;
    const user = users[Math.floor(index / routes.length) % users.length]!;
    const path = route.path.replace(/\{[^}]+\}/g, user.sub);
    const json = route.method === 'POST' || route.method === 'PUT';
    await fetch(`${stack.url}${path}`, {
      method: route.method,
      headers: {
        Authorization: `Bearer ${user.token}`,
        ...(json ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(json ? { body: JSON.stringify({ text: 'bench', roles: ['User'] }) } : {}),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const token = stack.stats.token - before.token;
  const perRoute = stack.stats.request - before.request;
  return [
    `| ${SPREAD_REQUESTS} requests round-robin over ${routes.length} routes (${protectedRoutes} protected), ${SPREAD_USERS} tokens, real handlers | ${(SPREAD_REQUESTS / seconds).toFixed(0)} req/s sequential | DynamoDB on dynalite |`,
    `| authorizer invocations per 1,000 requests | token ${token}, per-route ${perRoute} | ${(token / SPREAD_USERS).toFixed(2)} per token (target 1) |`,
  ];
}

export async function runBench(): Promise<void> {
  const stack = await startLocalStack({
    port: 0,
    scopesFile: SCOPES_FILE,
    watch: false,
    passwordParams: { logN: 10, r: 8, p: 1 },
  });
  try {
    const lines = [
      'local gateway (loopback, same process)',
      ...(await throughput(stack)),
      ...(await invocations(stack)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stack.close();
  }
}

if (require.main === module) void runBench();
