import { expect } from 'chai';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { JWK } from 'jose';
import {
  CREDENTIALS,
  REGION,
  startFakeSecretsManager,
  type FakeSecretsManager,
} from './fake-secrets-manager';
import { event, makePrivateKey } from './harness';

describe('the Lambda entry (functions/auth/index.ts)', () => {
  let secretsManager: FakeSecretsManager;
  let key: JWK;
  let secretString: string;
  const saved = { ...process.env };
  const logLines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  let handler: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

  const jwks = () => handler(event('/.well-known/jwks.json', null, { method: 'GET' }));

  // The SDK client built at module scope finds the fake through the SDK's own environment variables.
  before(async () => {
    key = await makePrivateKey('EdDSA', 'lambda-key');
    secretString = JSON.stringify({ keys: [key] });
    secretsManager = await startFakeSecretsManager();
    secretsManager.secrets.set('scopegate-keys', secretString);
    secretsManager.failing = true;
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      SCOPEGATE_TABLE: 'tokens',
      SCOPEGATE_ISSUER: 'https://api.example.com/prod',
      SCOPEGATE_AUDIENCE: 'scopegate-api',
      SCOPEGATE_SIGNING_KEYS_SECRET: 'scopegate-keys',
      SCOPEGATE_ROLES: 'User Admin',
    });
    // Keeps the function's JSON log lines (to search them) and lets the reporter's lines through.
    streams.forEach((stream, i) => {
      const write = writes[i]!;
      stream.write = (chunk: string | Uint8Array, ...rest: never[]) => {
        const text = chunk.toString();
        if (!text.startsWith('{')) return write(chunk, ...rest);
        logLines.push(text);
        return true;
      };
    });
    ({ handler } = (await import('../../../functions/auth/index.js')) as { handler: typeof handler });
  });
  after(async () => {
    streams.forEach((stream, i) => (stream.write = writes[i]!));
    process.env = saved;
    await secretsManager.close();
  });

  it('answers 500 while Secrets Manager fails, then loads the keys on a later request', async () => {
    const failed = await jwks();
    expect(failed.statusCode).to.equal(500);
    expect(JSON.parse(failed.body)).to.deep.equal({
      error: 'server_error',
      error_description: 'the token service is unavailable',
    });
    secretsManager.failing = false;
    const response = await jwks();
    expect(response.statusCode).to.equal(200);
    const published = (JSON.parse(response.body) as { keys: JWK[] }).keys;
    expect(published.map((jwk) => jwk.kid)).to.deep.equal(['lambda-key']);
    expect(published[0]).not.to.have.property('d');
  });

  it('reads the secret once per container once it has been read', async () => {
    const reads = secretsManager.calls.length;
    expect((await jwks()).statusCode).to.equal(200);
    expect(secretsManager.calls).to.have.length(reads);
    expect(secretsManager.calls.every((call) => call.secretId === 'scopegate-keys')).to.equal(true);
  });

  it('serves the metadata of the configured issuer', async () => {
    const response = await handler(event('/.well-known/oauth-authorization-server', null, { method: 'GET' }));
    expect(JSON.parse(response.body)).to.include({
      issuer: 'https://api.example.com/prod',
      token_endpoint: 'https://api.example.com/prod/auth/token',
    });
  });

  it('logs why it could not start, and never the secret string or the private key', () => {
    const failures = logLines.filter((line) => line.includes('token service could not start'));
    expect(failures).to.have.length.greaterThan(0);
    expect(failures[0]).to.include('SecretReadError').and.include('InternalServiceError');
    const logged = logLines.join('\n');
    expect(logged).not.to.include(secretString);
    expect(logged).not.to.include(String(key.d));
  });
});
