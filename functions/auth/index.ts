// Lambda entry of the token service: configuration from the environment, signing keys from Secrets Manager.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { modelFromBundle } from '../../policies/runtime-model';
import { readEnvConfig } from './config';
import type { AuthLogger } from './context';
import { errorResponse, OAuthError } from './oauth-errors';
import { onceUntilFailure, readSecret, SecretReadError } from './secrets';
import { parseSigningKeySecret, SigningKeyError } from './signing-keys';
import type { TokenService } from './token-service';
import { createTokenService } from './token-service';

/** Replaced by esbuild (`define`) with the packed scopes.yaml when the bundle carries it. */
declare const __SCOPEGATE_MODEL__: string | undefined;

const powertools = new Logger({ serviceName: 'scopegate-auth' });
const logger: AuthLogger = {
  info: (message, attributes = {}) => powertools.info(message, attributes),
  warn: (message, attributes = {}) => powertools.warn(message, attributes),
  error: (message, attributes = {}) => powertools.error(message, attributes),
};
const config = readEnvConfig(
  process.env,
  typeof __SCOPEGATE_MODEL__ === 'undefined' ? undefined : modelFromBundle(__SCOPEGATE_MODEL__),
);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});
// The runtime's own SDK (the bundle keeps @aws-sdk/* external); region and credentials from the environment.
const secretsManager = new SecretsManagerClient({});

// The secret is read once per container; a failed read or start is retried by the next invocation.
const signingKeySecret = onceUntilFailure(() => readSecret(secretsManager, config.signingKeysSecret));
const tokenService = onceUntilFailure(async (): Promise<TokenService> => {
  const signingKeys = parseSigningKeySecret(await signingKeySecret());
  const service = createTokenService({ ...config, documents, signingKeys, logger });
  await service.ready();
  return service;
});

// Started while the module loads, so the read overlaps the rest of the cold start; a failure is retried.
tokenService().catch(() => undefined);

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  let service: TokenService;
  try {
    service = await tokenService();
  } catch (error) {
    // The message only of errors written never to quote a value; otherwise the class alone.
    const safe = error instanceof SecretReadError || error instanceof SigningKeyError;
    logger.error('token service could not start', {
      errorName: error instanceof Error ? error.name : typeof error,
      ...(safe ? { errorMessage: error.message } : {}),
    });
    return errorResponse(new OAuthError('server_error', 'the token service is unavailable', 500));
  }
  return service.handle(event);
}
