// A fake AWS Secrets Manager on loopback: the JSON protocol's GetSecretValue, and a switch to make it fail.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const REGION = 'eu-west-1';
export const CREDENTIALS = { accessKeyId: 'AKIDSCOPEGATETEST', secretAccessKey: 'not-a-real-secret-key' };

export interface FakeSecretsManager {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Secret id (name or ARN) to `SecretString`. */
  secrets: Map<string, string>;
  /** While true, every call answers 500 `InternalServiceError`. */
  failing: boolean;
  /** The calls received: the target, the requested id, and the credential scope of the signature. */
  calls: { target: string; secretId: unknown; credential: string }[];
  /** A client pointed at the fake, with fixed credentials and region. */
  client(): SecretsManagerClient;
  close(): Promise<void>;
}

const awsError = (type: string, message: string) => JSON.stringify({ __type: type, message });

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const fake: Omit<FakeSecretsManager, 'endpoint' | 'client' | 'close'> = {
    secrets: new Map(),
    failing: false,
    calls: [],
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { SecretId?: unknown };
      const credential = /Credential=([^,]+)/.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
      fake.calls.push({ target, secretId: body.SecretId, credential });
      const answer = (status: number, text: string) =>
        response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(text);
      if (fake.failing) return answer(500, awsError('InternalServiceError', 'try again later'));
      if (target !== 'secretsmanager.GetSecretValue')
        return answer(400, awsError('InvalidRequestException', `unknown target ${target}`));
      const secret = typeof body.SecretId === 'string' ? fake.secrets.get(body.SecretId) : undefined;
      if (secret === undefined)
        return answer(400, awsError('ResourceNotFoundException', "Secrets Manager can't find the secret"));
      return answer(200, JSON.stringify({ Name: body.SecretId, SecretString: secret, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: SecretsManagerClient[] = [];
  return Object.assign(fake, {
    endpoint,
    client() {
      // One attempt: a failure reaches the caller at once instead of after the SDK's backoff.
      const client = new SecretsManagerClient({
        endpoint,
        region: REGION,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
