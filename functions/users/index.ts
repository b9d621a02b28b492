// Lambda entry of the users API: the table client built once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createUsersHandler } from './handler';
import { createUserStore } from './user-store';

const list = (value: string | undefined, separator: string): string[] =>
  (value ?? '').split(separator).filter((item) => item !== '');

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const users = createUsersHandler({
  store: createUserStore(documents, process.env.SCOPEGATE_TABLE ?? ''),
  knownRoles: list(process.env.SCOPEGATE_ROLES, ' '),
  corsOrigins: list(process.env.SCOPEGATE_CORS_ORIGINS, ','),
});

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => users.handle(event);
