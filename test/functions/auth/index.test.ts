import { expect } from 'chai';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { event, makePrivateKey } from './harness';

describe('the Lambda entry (functions/auth/index.ts)', () => {
  let extension: Server;
  const saved = { ...process.env };
  let handler: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

  // The AWS Parameters and Secrets extension on loopback, serving the signing keys secret.
  before(async () => {
    const keys = [await makePrivateKey('EdDSA', 'lambda-key')];
    extension = createServer((request, response) => {
      const ok =
        request.headers['x-aws-parameters-secrets-token'] === 'session' &&
        request.url === '/secretsmanager/get?secretId=scopegate-keys';
      response
        .writeHead(ok ? 200 : 403)
        .end(ok ? JSON.stringify({ SecretString: JSON.stringify({ keys }) }) : '');
    });
    await new Promise<void>((resolve) => extension.listen(0, 'localhost', resolve));
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_SESSION_TOKEN: 'session',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((extension.address() as AddressInfo).port),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      SCOPEGATE_TABLE: 'tokens',
      SCOPEGATE_ISSUER: 'https://api.example.com/prod',
      SCOPEGATE_AUDIENCE: 'scopegate-api',
      SCOPEGATE_SIGNING_KEYS_SECRET: 'scopegate-keys',
      SCOPEGATE_ROLES: 'User Admin',
    });
    ({ handler } = (await import('../../../functions/auth/index.js')) as { handler: typeof handler });
  });
  after(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => extension.close(() => resolve()));
  });

  it('loads the keys from the secret at start and publishes them', async () => {
    const response = await handler(event('/.well-known/jwks.json', null, { method: 'GET' }));
    expect(response.statusCode).to.equal(200);
    expect(
      (JSON.parse(response.body) as { keys: { kid: string }[] }).keys.map((key) => key.kid),
    ).to.deep.equal(['lambda-key']);
  });

  it('serves the metadata of the configured issuer', async () => {
    const response = await handler(event('/.well-known/oauth-authorization-server', null, { method: 'GET' }));
    expect(JSON.parse(response.body)).to.include({
      issuer: 'https://api.example.com/prod',
      token_endpoint: 'https://api.example.com/prod/auth/token',
    });
  });
});
