import { createRequire } from 'node:module';
import * as path from 'node:path';
import { compileFunction } from 'node:vm';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AUTHORIZER_DISPATCH, bundleCode } from '../../infra/bundle';
import { AUTHORIZER } from '../../infra/scopes';
import { compileScopes } from '../../policies';
import { bundledModel } from '../../policies/runtime-model';

const FUNCTIONS = path.join(__dirname, '../../functions');
const model = compileScopes(
  [
    'version: 1',
    'routes:',
    '  GET /bundled/{itemId}: messages',
    'roles:',
    '  User:',
    '    grants:',
    '      - GET /bundled/{itemId}',
    '',
  ].join('\n'),
);
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/v1/GET/bundled/42';

/** Loads CommonJS bundle text as Lambda would, resolving `@aws-sdk/*` from this repository. */
function load(code: string, env: Record<string, string>): Record<string, unknown> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const module = { exports: {} as Record<string, unknown> };
    const run = compileFunction(code, ['require', 'module', 'exports']) as (...args: unknown[]) => void;
    run(createRequire(path.join(FUNCTIONS, 'index.js')), module, module.exports);
    return module.exports;
  } finally {
    process.env = saved;
  }
}

describe('bundleCode', () => {
  const code = bundleCode(FUNCTIONS, AUTHORIZER, {
    entrySource: AUTHORIZER_DISPATCH,
    define: { __SCOPEGATE_MODEL__: bundledModel(model) },
  });

  it('carries the compiled model as data and leaves the AWS SDK to the runtime', () => {
    expect(code).to.contain('/bundled/{itemId}');
    expect(code).not.to.contain('__SCOPEGATE_MODEL__');
    expect(code).to.match(/require\("@aws-sdk\/client-dynamodb"\)/);
    expect(code).not.to.contain('LineCounter'); // no YAML parser in Lambda
  });

  it('builds once per entry and constants', () => {
    expect(
      bundleCode(FUNCTIONS, AUTHORIZER, {
        entrySource: AUTHORIZER_DISPATCH,
        define: { __SCOPEGATE_MODEL__: bundledModel(model) },
      }),
    ).to.equal(code);
  });

  it('serves both authorizers from one handler and refuses any other event as Unauthorized', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    const issuer = {
      issuer: 'https://issuer.test',
      audience: 'api',
      algorithms: ['EdDSA'],
      checkState: false,
    };
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] };
    const exports = load(code, {
      SCOPEGATE_TABLE: '',
      SCOPEGATE_ISSUERS: JSON.stringify([{ ...issuer, jwks }]),
    });
    expect(Object.keys(exports)).to.include.members(['handler', 'requestHandler', 'tokenHandler']);
    const handler = exports.handler as (
      event: unknown,
    ) => Promise<{ policyDocument: { Statement: unknown[] } }>;
    const token = await new SignJWT({ scope: 'User', client_id: 'app' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
      .setIssuer(issuer.issuer)
      .setAudience('api')
      .setSubject('user-1')
      .setJti('t1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const allowed = await handler({
      type: 'TOKEN',
      authorizationToken: `Bearer ${token}`,
      methodArn: METHOD_ARN,
    });
    expect(JSON.stringify(allowed.policyDocument)).to.contain('"Allow"');
    const refused = async (event: unknown): Promise<string> =>
      handler(event).then(
        () => 'allowed',
        (error: unknown) => (error as Error).message,
      );
    expect(await refused({ type: 'WEBSOCKET', methodArn: METHOD_ARN })).to.equal('Unauthorized');
    expect(
      await refused({ type: 'TOKEN', authorizationToken: 'Bearer x.y.z', methodArn: METHOD_ARN }),
    ).to.equal('Unauthorized');
  });
});
