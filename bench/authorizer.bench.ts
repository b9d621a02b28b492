// Authorizer benchmark: warm path vs bare jose vs a crypto.verify floor, an aws-jwt-verify core, several trusted
// providers vs one, cache, cold start.
import { execFile } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JwtVerifier } from 'aws-jwt-verify';
import { jwtVerify } from 'jose';
import { authorize } from '../policies/authorize';
import { compileScopes } from '../policies/index';
import type { AuthorizerResult, CompiledModel } from '../policies/model';
import { packModel } from '../policies/runtime-model';
import { createAuthorizer } from '../functions/authorizer/authorizer';
import { parseBearer } from '../functions/authorizer/bearer';
import { createJsonLogger } from '../functions/authorizer/logger';
import { readRoles } from '../functions/authorizer/roles';
import {
  CLOCK_TOLERANCE_SECONDS,
  createTokenVerifier,
  type IssuerConfig,
} from '../functions/authorizer/verify-token';
import { bundleAuthorizer, NODE_MODULES } from '../test/functions/authorizer/bundle';
import type { SigningKey } from '../test/functions/authorizer/support';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign } from '../test/functions/authorizer/support';
import { scopedApi } from '../test/support/api-models';

const run = promisify(execFile);
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/GET/messages';
const ROUNDS = 7;
const OPS_PER_ROUND = 300;
const COLD_RUNS = 7;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Time per call (µs): the best of interleaved rounds, so noise from other processes (which only ever adds time)
 * is filtered out and hits every variant alike.
 */
async function measure(
  variants: Record<string, (i: number) => Promise<unknown>>,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((name) => [name, []]),
  );
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      // CPU time (all threads, so WebCrypto's too) rather than wall time: other processes on a shared
      // machine stretch wall time far more than the work measured.
      const started = process.cpuUsage();
      for (let i = 0; i < OPS_PER_ROUND; i++) await fn(i);
      const used = process.cpuUsage(started);
      const perCall = (used.user + used.system) / OPS_PER_ROUND;
      if (round >= 0) samples[name]!.push(perCall); // round -1 warms up
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Math.min(...values)]));
}

/** The same core (bearer, verify, roles, policy, context) on aws-jwt-verify instead of jose. */
function awsJwtVerifyCore(model: CompiledModel, key: SigningKey) {
  const verifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: 'https://unused.invalid/jwks',
  });
  verifier.cacheJwks(jwksOf(key) as never);
  const known = new Set(model.roles.map((role) => role.name));
  return (header: string): AuthorizerResult => {
    const bearer = parseBearer(header);
    if ('reason' in bearer) throw new Error('Unauthorized');
    const payload = verifier.verifySync(bearer.token) as Record<string, unknown> & { sub: string };
    const roles = readRoles(payload, { rolesClaims: ['scope'] }, known);
    const result = authorize(
      model,
      { principalId: payload.sub, roles, claims: payload },
      { methodArn: METHOD_ARN },
    );
    result.context = {
      ...result.context,
      sub: payload.sub,
      roles: roles.join(' '),
      clientId: '',
      tokenId: '',
    };
    return result;
  };
}

async function tokensFor(key: SigningKey, count: number, scope = 'User'): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sign(key, {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: `user-${i}`,
        scope,
        jti: `j-${i}`,
        iat: now,
        exp: now + 3600,
      }),
    ),
  );
}

async function warmPath(model: CompiledModel): Promise<string[]> {
  const lines: string[] = [];
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const key = await makeKey(alg, `${alg}-1`);
    const tokens = await tokensFor(key, 64);
    const issuer: IssuerConfig = {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: jwksOf(key),
      algorithms: [alg],
      typ: 'at+jwt',
    };
    const authorizer = createAuthorizer({
      model,
      issuers: [issuer],
      cacheSize: 0,
      logger: createJsonLogger(() => {}),
    });
    const awsCore = awsJwtVerifyCore(model, key);
    const publicKey: KeyObject = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });
    const parts = tokens.map((token) => {
      const [header, payload, signature] = token.split('.');
      return { input: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature!, 'base64url') };
    });
    const pick = (i: number) => tokens[i % tokens.length]!;
    const times = await measure({
      authorizer: (i) =>
        authorizer.handleToken({
          type: 'TOKEN',
          authorizationToken: `Bearer ${pick(i)}`,
          methodArn: METHOD_ARN,
        }),
      // The same checks the authorizer makes (typ, required claims, tolerance), so the difference is ours.
      jose: (i) =>
        jwtVerify(pick(i), key.publicKey, {
          algorithms: [alg],
          issuer: ISSUER,
          audience: AUDIENCE,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(),
        }),
      floor: (i) => {
        const { input, signature } = parts[i % parts.length]!;
        const ok =
          alg === 'EdDSA'
            ? cryptoVerify(null, input, publicKey, signature)
            : cryptoVerify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
        return ok ? Promise.resolve() : Promise.reject(new Error('bad signature'));
      },
      awsJwtVerify: (i) => Promise.resolve(awsCore(`Bearer ${pick(i)}`)),
    });
    const row = (name: string, us: number) =>
      `${alg.padEnd(6)} ${name.padEnd(34)} ${us.toFixed(1).padStart(8)} µs ${Math.round(1e6 / us)
        .toString()
        .padStart(7)}/s  ${(us / times.jose!).toFixed(2)}x jose  ${(us / times.floor!).toFixed(2)}x floor`;
    lines.push(
      row('authorizer warm path (jose)', times.authorizer!),
      row('bare jose jwtVerify, same checks', times.jose!),
      row('raw crypto.verify floor', times.floor!),
      row('same core on aws-jwt-verify', times.awsJwtVerify!),
      `${alg.padEnd(6)} authorizer overhead over bare jose: ${((times.authorizer! / times.jose! - 1) * 100).toFixed(1)}% (target <= 10%)`,
    );
  }
  return lines;
}

/** Verify cost by number of trusted providers: the issuer is found by one Map lookup, never a scan. */
async function providerCount(): Promise<string[]> {
  const key = await makeKey('ES256', 'es-providers');
  const tokens = await tokensFor(key, 64);
  const other = await makeKey('ES256', 'es-other');
  const builtin: IssuerConfig = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: jwksOf(key),
    algorithms: ['ES256'],
    typ: 'at+jwt',
  };
  const cognito = (i: number): IssuerConfig => ({
    kind: 'cognito',
    issuer: `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool${i}`,
    clientIds: ['client'],
    jwks: jwksOf(other),
  });
  const keycloak = (i: number): IssuerConfig => ({
    kind: 'keycloak',
    issuer: `https://sso.example.com/realms/realm${i}`,
    audience: 'api',
    jwks: jwksOf(other),
  });
  const now = () => Date.now();
  // The token's issuer is configured last, so a scan would pay for every provider before it.
  const one = createTokenVerifier([builtin], { now });
  const three = createTokenVerifier([cognito(0), keycloak(0), builtin], { now });
  const thirty = createTokenVerifier(
    [...Array.from({ length: 29 }, (_, i) => (i % 2 === 0 ? cognito(i) : keycloak(i))), builtin],
    { now },
  );
  const pick = (i: number) => tokens[i % tokens.length]!;
  const check = async (verify: typeof one, i: number) => {
    if (!(await verify(pick(i))).ok) throw new Error('verification failed');
  };
  const times = await measure({
    one: (i) => check(one, i),
    three: (i) => check(three, i),
    thirty: (i) => check(thirty, i),
  });
  const row = (name: string, us: number) =>
    `providers verify, ${name.padEnd(22)} ${us.toFixed(1).padStart(8)} µs  ${(us / times.one!).toFixed(2)}x one`;
  return [
    row('1 provider configured', times.one!),
    row('3 providers configured', times.three!),
    row('30 providers configured', times.thirty!),
  ];
}

/** API Gateway's repeat calls: a few hundred users, the per-route authorizer asked per route, cache expiry. */
async function cacheReplay(model: CompiledModel): Promise<string[]> {
  const key = await makeKey('ES256', 'es-cache');
  const tokens = await tokensFor(key, 200);
  const issuer: IssuerConfig = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: jwksOf(key),
    algorithms: ['ES256'],
  };
  const logger = createJsonLogger(() => {});
  const cached = createAuthorizer({ model, issuers: [issuer], cacheSize: 1000, logger });
  const uncached = createAuthorizer({ model, issuers: [issuer], cacheSize: 0, logger });
  // Deterministic skew: a few users make most calls (x^3 over a uniform LCG).
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const sequence = Array.from({ length: 4000 }, () => tokens[Math.floor(next() ** 3 * tokens.length)]!);
  const replay = async (authorizer: typeof cached) => {
    const started = performance.now();
    for (const token of sequence) {
      await authorizer.handleToken({
        type: 'TOKEN',
        authorizationToken: `Bearer ${token}`,
        methodArn: METHOD_ARN,
      });
    }
    return ((performance.now() - started) * 1000) / sequence.length;
  };
  const uncachedUs = await replay(uncached);
  const cachedUs = await replay(cached);
  const { hits, misses } = cached.cacheStats;
  return [
    `cache  ${sequence.length} calls over ${tokens.length} tokens: hit rate ${((hits / (hits + misses)) * 100).toFixed(1)}%`,
    `cache  per call ${cachedUs.toFixed(1)} µs with the cache vs ${uncachedUs.toFixed(1)} µs without (${(uncachedUs / cachedUs).toFixed(1)}x)`,
  ];
}

const CHILD = `
const started = performance.now();
const entry = require(process.argv[1]);
Promise.resolve(entry[process.argv[2]](JSON.parse(process.argv[3]))).then(() => {
  process.stderr.write('RESULT' + JSON.stringify({ boot: started, total: performance.now() }));
}, (error) => { process.stderr.write('RESULT' + JSON.stringify({ error: String(error) })); });`;

const MINIMAL = `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 2 }));
exports.handler = async () => ({ ok: documents !== undefined });`;

/** Cold start of the bundled authorizer carrying `model`, answering `methodArn`; `label` names the model. */
async function coldStart(
  model: CompiledModel,
  label: string,
  { methodArn = METHOD_ARN, scope = 'User' } = {},
): Promise<string[]> {
  const bundle = await bundleAuthorizer(model);
  const packed = Buffer.byteLength(JSON.stringify(packModel(model)));
  try {
    const minimal = join(bundle.dir, 'minimal.js');
    await writeFile(minimal, MINIMAL);
    const key = await makeKey('EdDSA', 'ed-cold');
    const [token] = await tokensFor(key, 1, scope);
    const issuers: IssuerConfig[] = [
      { issuer: ISSUER, audience: AUDIENCE, jwks: jwksOf(key), algorithms: ['EdDSA'] },
    ];
    const env = {
      PATH: process.env.PATH,
      NODE_PATH: NODE_MODULES,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      SCOPEGATE_TABLE: 'scopegate-bench',
      SCOPEGATE_ISSUERS: JSON.stringify(issuers),
    };
    const event = JSON.stringify({
      type: 'TOKEN',
      authorizationToken: `Bearer ${token}`,
      methodArn,
    });
    const once = async (file: string, handler: string) => {
      const { stderr } = await run(process.execPath, ['-e', CHILD, file, handler, event], { env });
      const result = JSON.parse(stderr.slice(stderr.indexOf('RESULT') + 6)) as {
        boot: number;
        total: number;
        error?: string;
      };
      if (result.error !== undefined) throw new Error(`cold start failed: ${result.error}`);
      return { total: result.total, work: result.total - result.boot };
    };
    const ours: { total: number; work: number }[] = [];
    const base: { total: number; work: number }[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      ours.push(await once(bundle.file, 'tokenHandler'));
      base.push(await once(minimal, 'handler'));
    }
    const best = (runs: { total: number; work: number }[], field: 'total' | 'work') =>
      [median(runs.map((r) => r[field])), Math.min(...runs.map((r) => r[field]))] as const;
    const [oursTotal, oursTotalMin] = best(ours, 'total');
    const [baseTotal, baseTotalMin] = best(base, 'total');
    const [oursWork, oursWorkMin] = best(ours, 'work');
    const [baseWork, baseWorkMin] = best(base, 'work');
    return [
      `cold   ${label}: bundle ${(bundle.bytes / 1024).toFixed(1)} KB without the AWS SDK, packed model ${(packed / 1024).toFixed(1)} KB`,
      `cold   ${label}: process start to first answer, median of ${COLD_RUNS}: ${oursTotal.toFixed(0)} ms vs ${baseTotal.toFixed(0)} ms for a handler that only creates the DynamoDB client (${(oursTotal / baseTotal).toFixed(2)}x, target <= 1.2x); best ${oursTotalMin.toFixed(0)} vs ${baseTotalMin.toFixed(0)} ms (${(oursTotalMin / baseTotalMin).toFixed(2)}x)`,
      `cold   ${label}: import + first answer alone, median: ${oursWork.toFixed(0)} ms vs ${baseWork.toFixed(0)} ms (${(oursWork / baseWork).toFixed(2)}x); best ${oursWorkMin.toFixed(0)} vs ${baseWorkMin.toFixed(0)} ms (${(oursWorkMin / baseWorkMin).toFixed(2)}x)`,
    ];
  } finally {
    await bundle.remove();
  }
}

export async function runBench(): Promise<void> {
  const model = compileScopes(readFileSync(join(__dirname, '../scopes.yaml'), 'utf8'), 'scopes.yaml');
  console.log(
    `authorizer: CPU µs per call, best of ${ROUNDS} interleaved rounds of ${OPS_PER_ROUND}; ratios from this run`,
  );
  for (const line of await warmPath(model)) console.log(line);
  for (const line of await providerCount()) console.log(line);
  for (const line of await cacheReplay(model)) console.log(line);
  for (const line of await coldStart(model, 'scopes.yaml')) console.log(line);
  // A 2,000-route, 64-scope model: the bundle carries it whole (target: packed model <= 200 KB, cold start <= 1.2x).
  const large = compileScopes(scopedApi(32, 10), 'scopes.yaml');
  const arn = METHOD_ARN.replace('/GET/messages', '/GET/c00/42/items');
  const scope = 'c00:read c00:write orders-api/c01.read';
  for (const line of await coldStart(large, `${large.routes.length} routes`, { methodArn: arn, scope }))
    console.log(line);
}

if (require.main === module) void runBench();
