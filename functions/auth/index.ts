// Lambda entry of the token service: configuration from the environment, signing keys from a secret.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { CompiledModel } from '../../policies/model';
import { readEnvConfig } from './config';
import type { AuthLogger } from './context';
import { readSecret } from './secrets';
import { parseSigningKeySecret } from './signing-keys';
import type { TokenService } from './token-service';
import { createTokenService } from './token-service';

/** Replaced by esbuild (`define`) with the compiled scopes.yaml when the bundle carries it. */
declare const __SCOPEGATE_MODEL__: CompiledModel | undefined;

const powertools = new Logger({ serviceName: 'scopegate-auth' });
const logger: AuthLogger = {
  info: (message, attributes = {}) => powertools.info(message, attributes),
  warn: (message, attributes = {}) => powertools.warn(message, attributes),
  error: (message, attributes = {}) => powertools.error(message, attributes),
};
const config = readEnvConfig(
  process.env,
  typeof __SCOPEGATE_MODEL__ === 'undefined' ? undefined : __SCOPEGATE_MODEL__,
);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});

async function start(): Promise<TokenService> {
  const signingKeys = parseSigningKeySecret(await readSecret(config.signingKeysSecret, process.env));
  const service = createTokenService({ ...config, documents, signingKeys, logger });
  await service.ready();
  return service;
}

// Started during the init phase; a failed start is retried by the next invocation rather than cached.
let service: Promise<TokenService> | undefined = start();
service.catch(() => undefined);

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  service ??= start();
  try {
    return await (await service).handle(event);
  } catch (error) {
    service = undefined;
    logger.error('token service could not start', {
      errorName: error instanceof Error ? error.name : 'unknown',
    });
    throw error;
  }
}
