// The messages API: list and post (User), delete any message (Admin); the grants are the authorizer's job.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerOf, corsHeaders, errorResponse, HttpError, json, jsonBody } from './http';
import { MESSAGE_ID, type MessageStore } from './message-store';

export const MAX_TEXT_LENGTH = 1000;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export interface MessagesHandlerOptions {
  store: MessageStore;
  corsOrigins: readonly string[];
}

/** Serves GET/POST /messages and DELETE /messages/{messageId}; 400 with `{ error }` on bad input. */
export function createMessagesHandler(options: MessagesHandlerOptions): {
  handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
} {
  const { store } = options;
  return {
    async handle(event) {
      const headers = corsHeaders(event, options.corsOrigins);
      try {
        const caller = callerOf(event);
        const route = `${event.httpMethod} ${event.resource}`;
        switch (route) {
          case 'GET /messages': {
            const query = event.queryStringParameters ?? {};
            const page = await store.list(parseLimit(query.limit), parseMessageId(query.cursor, 'cursor'));
            return json(200, page, headers);
          }
          case 'POST /messages': {
            const message = await store.post(caller.sub, parseText(jsonBody(event).text));
            return json(201, message, headers);
          }
          case 'DELETE /messages/{messageId}': {
            const messageId = parseMessageId(event.pathParameters?.messageId, 'messageId');
            if (messageId === undefined) throw new HttpError(400, 'messageId is required');
            if (!(await store.delete(messageId))) throw new HttpError(404, 'no such message');
            return json(204, undefined, headers);
          }
          default:
            throw new HttpError(404, `no route ${route}`);
        }
      } catch (error) {
        return errorResponse(error, headers);
      }
    },
  };
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    throw new HttpError(400, `limit must be an integer 1..${MAX_LIMIT}`);
  return limit;
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
