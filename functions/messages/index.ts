// Lambda entry of the messages API: the table client built once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createMessagesHandler } from './handler';
import { createMessageStore } from './message-store';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const messages = createMessagesHandler({
  store: createMessageStore(documents, process.env.SCOPEGATE_TABLE ?? ''),
  corsOrigins: (process.env.SCOPEGATE_CORS_ORIGINS ?? '').split(',').filter((origin) => origin !== ''),
});

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  messages.handle(event);
