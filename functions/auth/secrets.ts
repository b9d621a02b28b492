// Reads the token service's signing keys from AWS Secrets Manager, once per container.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A secret that could not be read; its message names the secret and the SDK's error class, never a value. */
export class SecretReadError extends Error {
  override name = 'SecretReadError';
}

/**
 * Fetches a secret's text (`SecretString`). Throws `SecretReadError`.
 *
 * @example
 * const text = await readSecret(new SecretsManagerClient({}), 'arn:aws:secretsmanager:...:secret:keys-AbCdEf');
 */
export async function readSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
  let text: string | undefined;
  try {
    ({ SecretString: text } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    throw new SecretReadError(`secret ${secretId}: could not be read from Secrets Manager (${name})`, {
      cause: error,
    });
  }
  if (typeof text !== 'string') throw new SecretReadError(`secret ${secretId}: no string value`);
  return text;
}

/**
 * Runs `load` once and shares its promise for the life of the container. A rejected attempt is forgotten, so
 * the next call tries again: a throttled or briefly unreachable dependency must not break the container for good.
 */
export function onceUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending !== undefined) return pending;
    const attempt = load();
    pending = attempt;
    attempt.catch(() => {
      if (pending === attempt) pending = undefined;
    });
    return attempt;
  };
}
