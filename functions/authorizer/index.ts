// Lambda entry of the authorizer: configuration from the environment, the scope model from the bundle.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { AuthorizerResult } from '../../policies/model';
import { modelFromBundle } from '../../policies/runtime-model';
import { createAuthorizer } from './authorizer';
import type { IssuerConfig } from './verify-token';

/** Replaced by esbuild (`define`) with the packed scopes.yaml: nothing is parsed or compiled at run time. */
declare const __SCOPEGATE_MODEL__: string;

const tableName = process.env.SCOPEGATE_TABLE === '' ? undefined : process.env.SCOPEGATE_TABLE;
const issuers = JSON.parse(process.env.SCOPEGATE_ISSUERS ?? '[]') as IssuerConfig[];

// Built once per container; a bad configuration fails the cold start (500s), never opens the API.
const documents =
  tableName === undefined ? undefined : DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 2 }));
const authorizer = createAuthorizer({
  model: modelFromBundle(__SCOPEGATE_MODEL__),
  issuers,
  tableName,
  documents,
});

/** The token-cached authorizer (TOKEN event). */
export const tokenHandler = (event: APIGatewayTokenAuthorizerEvent): Promise<AuthorizerResult> =>
  authorizer.handleToken(event);

/** The per-route authorizer (REQUEST event). */
export const requestHandler = (event: APIGatewayRequestAuthorizerEvent): Promise<AuthorizerResult> =>
  authorizer.handleRequest(event);
