// A sign-up flood against an unrelated caller: the first authorizer call (WebCrypto verify, on libuv's thread
// pool like scrypt) while 16 sign-ups at OWASP cost arrive at once, with the token service's hashing limit and
// without it (every hash admitted at once), in the same run.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { performance } from 'node:perf_hooks';
import { createTokenService } from '../functions/auth/token-service';
import { createAuthorizer } from '../functions/authorizer/authorizer';
import { compileScopes } from '../policies/index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTable, startLocalDynamo } from '../local/dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const FLOOD = 16;
const ROUNDS = 3;
const TABLE = 'bench-flood';
const ISSUER = 'https://issuer.bench';
/** A sign-up request as API Gateway hands it to the function (only what the token service reads). */
const signUpEvent = (username: string): APIGatewayProxyEvent =>
  ({
    resource: '/auth/signup',
    path: '/auth/signup',
    httpMethod: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    multiValueHeaders: { 'content-type': ['application/x-www-form-urlencoded'] },
    body: new URLSearchParams({ username, password: 'a long enough password' }).toString(),
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '198.51.100.1' } },
  }) as unknown as APIGatewayProxyEvent;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function runBench(): Promise<void> {
  const model = compileScopes(readFileSync(join(__dirname, '../scopes.yaml'), 'utf8'), 'scopes.yaml');
  const dynamo = await startLocalDynamo();
  await createTable(dynamo.client, TABLE);
  const signing = await generateKeyPair('EdDSA', { extractable: true });
  const service = await generateKeyPair('EdDSA', { extractable: true });
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'EdDSA' };
  const authorizer = createAuthorizer({
    model,
    issuers: [{ issuer: ISSUER, audience: 'bench', jwks: { keys: [publicJwk] }, algorithms: ['EdDSA'] }],
    logger: { info: () => undefined, error: () => undefined },
  });
  const token = (n: number) =>
    new SignJWT({ scope: 'User', jti: `j-${n}` })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('bench')
      .setSubject(`u-${n}`)
      .setExpirationTime('5m')
      .sign(signing.privateKey);
  const variants = {
    limited: {},
    unlimited: { passwordConcurrency: FLOOD, passwordQueue: FLOOD },
  };
  const results: Record<string, { ms: number[]; shed: number }> = {};
  let serial = 0;
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, limits] of Object.entries(variants)) {
        const tokens = createTokenService({
          tableName: TABLE,
          documents: dynamo.documents,
          issuer: ISSUER,
          audience: 'bench',
          signingKeys: [{ ...(await exportJWK(service.privateKey)), kid: 's1' }],
          roles: model.roles.map((role) => role.name),
          ...limits,
        });
        await tokens.ready();
        const caller = await token((serial += 1));
        const flood = Array.from({ length: FLOOD }, () =>
          tokens.handle(signUpEvent(`flood-${(serial += 1)}`)),
        );
        // Let the hashes start, then time one cache-missing authorizer call.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const started = performance.now();
        await authorizer.handleToken({
          type: 'TOKEN',
          authorizationToken: `Bearer ${caller}`,
          methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/v1/GET/messages',
        });
        const elapsed = performance.now() - started;
        const answers = await Promise.all(flood);
        const entry = (results[name] ??= { ms: [], shed: 0 });
        entry.ms.push(elapsed);
        entry.shed = answers.filter((answer) => answer.statusCode === 503).length;
      }
    }
    const limited = median(results.limited!.ms);
    const unlimited = median(results.unlimited!.ms);
    process.stdout.write(
      [
        `sign-up flood (${FLOOD} concurrent sign-ups at OWASP scrypt cost, median of ${ROUNDS})`,
        `| first authorizer call during the flood, hashing limited (2 at once, 8 queued; ${results.limited!.shed} shed with 503) | ${limited.toFixed(1)} ms | baseline |`,
        `| first authorizer call during the flood, every hash admitted at once | ${unlimited.toFixed(1)} ms | ${(unlimited / limited).toFixed(0)}x slower |`,
        '',
      ].join('\n'),
    );
  } finally {
    await dynamo.close();
  }
}
