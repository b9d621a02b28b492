// The messages API: list and post (User), delete any message (Admin); the grants are the authorizer's job.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError, jsonBody, parseLimit, serveRoutes } from '../lib/http';
import type { routes } from './routes';
import { MESSAGE_ID, type MessageStore } from './message-store';

export const MAX_TEXT_LENGTH = 1000;

export interface MessagesHandlerOptions {
  store: MessageStore;
  corsOrigins: readonly string[];
}

/** Serves GET/POST /messages and DELETE /messages/{messageId}; 400 with `{ error }` on bad input. */
export function createMessagesHandler(options: MessagesHandlerOptions): {
  handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
} {
  const { store } = options;
  const handle = serveRoutes<(typeof routes)[number]>(
    {
      'GET /messages': async (event) => {
        const query = event.queryStringParameters ?? {};
        const page = await store.list(parseLimit(query.limit), parseMessageId(query.cursor, 'cursor'));
        return { statusCode: 200, body: page };
      },
      'POST /messages': async (event, caller) => {
        const message = await store.post(caller.sub, parseText(jsonBody(event).text));
        return { statusCode: 201, body: message };
      },
      'DELETE /messages/{messageId}': async (event) => {
        const messageId = parseMessageId(event.pathParameters?.messageId, 'messageId');
        if (messageId === undefined) throw new HttpError(400, 'messageId is required');
        if (!(await store.delete(messageId))) throw new HttpError(404, 'no such message');
        return { statusCode: 204 };
      },
    },
    options.corsOrigins,
  );
  return { handle };
}

export function parseMessageId(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!MESSAGE_ID.test(value)) throw new HttpError(400, `${name} is not a message id`);
  return value;
}

export function parseText(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new HttpError(400, 'text must be a non-empty string');
  if (value.length > MAX_TEXT_LENGTH)
    throw new HttpError(400, `text is longer than ${MAX_TEXT_LENGTH} characters`);
  return value;
}
