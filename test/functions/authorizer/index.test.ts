import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Bundle } from './bundle';
import { bundleAuthorizer, NODE_MODULES } from './bundle';
import type { Harness } from './harness';
import { requestEvent, startHarness, TABLE, tokenEvent } from './harness';
import { revokedTokenKey, sessionKey } from '../../../functions/lib/token-table';
import { sign, userClaims } from './support';

const run = promisify(execFile);

/** Loads the bundle in a fresh Node process, as Lambda would, and answers each event in turn. */
const RUNNER = `
const entry = require(process.argv[1]);
let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const out = [];
  for (const [handler, event] of JSON.parse(input)) {
    try { out.push({ value: await entry[handler](event) }); } catch (error) { out.push({ error: error.message }); }
  }
  process.stderr.write('RESULT' + JSON.stringify(out));
});`;

describe('the authorizer Lambda bundle (functions/authorizer/index.ts)', () => {
  let h: Harness;
  let bundle: Bundle;

  before(async () => {
    h = await startHarness();
    bundle = await bundleAuthorizer(h.model);
  });
  after(async () => {
    await Promise.all([h.close(), bundle.remove()]);
  });

  async function invoke(
    env: Record<string, string>,
    calls: [string, unknown][],
  ): Promise<Record<string, unknown>[]> {
    const child = run(process.execPath, ['-e', RUNNER, bundle.file], {
      env: {
        PATH: process.env.PATH,
        NODE_PATH: NODE_MODULES,
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: h.dynamo.endpoint,
        ...env,
      },
    });
    child.child.stdin?.end(JSON.stringify(calls));
    const { stderr } = await child;
    return JSON.parse(stderr.slice(stderr.indexOf('RESULT') + 6)) as Record<string, unknown>[];
  }

  it('is small: under 100 KB without the AWS SDK', () => {
    expect(bundle.bytes).to.be.below(100 * 1024);
  });

  it('reads its table and issuers from the environment and answers both events', async () => {
    // The real clock: the bundle has no injected one.
    const now = Math.floor(Date.now() / 1000);
    await h.put({ ...sessionKey('sid-now'), sid: 'sid-now', sub: 'user-1', expiresAt: now + 3600 });
    await h.put({ ...revokedTokenKey('jti-now-revoked'), jti: 'jti-now-revoked', expiresAt: now + 3600 });
    const claims = userClaims({ sid: 'sid-now', iat: now, exp: now + 300 });
    const good = `Bearer ${await sign(h.ed, claims)}`;
    const revoked = `Bearer ${await sign(h.ed, { ...claims, jti: 'jti-now-revoked' })}`;
    const [allowed, refused, routed] = await invoke(
      { SCOPEGATE_TABLE: TABLE, SCOPEGATE_ISSUERS: JSON.stringify([h.builtIn]) },
      [
        ['tokenHandler', tokenEvent(good)],
        ['tokenHandler', tokenEvent(revoked)],
        ['requestHandler', requestEvent({ Authorization: good }, 'GET', '/users/{userId}', '/users/user-1')],
      ],
    );
    expect(allowed).to.have.nested.property('value.principalId', 'user-1');
    expect(allowed).to.have.nested.property('value.context.tokenId', 'jti-1');
    expect(refused).to.deep.equal({ error: 'Unauthorized' });
    // GET /users/{userId} is decided by the token-cached authorizer, so the per-route one denies it outright.
    expect(routed).to.have.nested.property('value.policyDocument.Statement[0].Effect', 'Deny');
  });

  it('fails its cold start (every request a 500) when an issuer checks state but no table is configured', async () => {
    const failure: unknown = await invoke({ SCOPEGATE_ISSUERS: JSON.stringify([h.builtIn]) }, []).catch(
      (error: unknown) => error,
    );
    expect(failure)
      .to.have.property('stderr')
      .that.includes('TypeError: An issuer has "checkState" but no "tableName"');
  });
});
