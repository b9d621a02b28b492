import { expect } from 'chai';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSecret } from '../../../functions/auth/secrets';

describe('readSecret', () => {
  let server: Server;
  let port: string;
  const seen: { url: string; token: string | undefined }[] = [];

  // Stands in for the AWS Parameters and Secrets Lambda Extension on loopback.
  before(async () => {
    server = createServer((request, response) => {
      seen.push({
        url: request.url ?? '',
        token: request.headers['x-aws-parameters-secrets-token'] as string | undefined,
      });
      if (request.headers['x-aws-parameters-secrets-token'] !== 'session-token') {
        response.writeHead(401).end();
      } else if (request.url?.startsWith('/secretsmanager/get?secretId=signing-keys')) {
        response.writeHead(200).end(JSON.stringify({ SecretString: '[{"kid":"a"}]' }));
      } else if (
        request.url?.startsWith('/systemsmanager/parameters/get?name=%2Fscopegate%2Fkeys&withDecryption=true')
      ) {
        response.writeHead(200).end(JSON.stringify({ Parameter: { Value: '{"keys":[]}' } }));
      } else {
        response.writeHead(400).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
    port = String((server.address() as AddressInfo).port);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const env = () => ({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: port, AWS_SESSION_TOKEN: 'session-token' });

  it('reads a Secrets Manager secret with the session token', async () => {
    expect(await readSecret('signing-keys', env())).to.equal('[{"kid":"a"}]');
    expect(seen.at(-1)?.token).to.equal('session-token');
  });

  it('reads an SSM SecureString parameter with decryption', async () => {
    expect(await readSecret('/scopegate/keys', env())).to.equal('{"keys":[]}');
  });

  it('fails with the status and the secret name, never a value', async () => {
    let caught: unknown;
    await readSecret('signing-keys', { ...env(), AWS_SESSION_TOKEN: 'wrong' }).catch(
      (error: unknown) => (caught = error),
    );
    expect((caught as Error).message).to.equal('secret signing-keys: the secrets extension answered 401');
  });
});
