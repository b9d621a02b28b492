// Messages in the shared table: one partition (`MESSAGE`), sort key `MESSAGE#<id>` with time-ordered ids.
import { randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ITEM_KINDS } from '../lib/token-table';

export const MESSAGE_PARTITION = ITEM_KINDS.message.prefix;
export const messageKey = (messageId: string): { pk: string; sk: string } => ({
  pk: MESSAGE_PARTITION,
  sk: `MESSAGE#${messageId}`,
});

/** Epoch milliseconds in base 36 (fixed width, so ids sort by time) and 48 random bits. */
export const MESSAGE_ID = /^[0-9a-z]{10}-[0-9a-f]{12}$/;

export interface Message {
  messageId: string;
  text: string;
  authorSub: string;
  createdAt: number;
}

export interface MessagePage {
  messages: Message[];
  /** Pass back as `cursor` for the next (older) page. */
  cursor?: string;
}

export interface MessageStore {
  list(limit: number, cursor?: string): Promise<MessagePage>;
  post(authorSub: string, text: string): Promise<Message>;
  /** False when there was no such message. */
  delete(messageId: string): Promise<boolean>;
}

export function newMessageId(nowMs: number): string {
  return `${nowMs.toString(36).padStart(10, '0')}-${randomBytes(6).toString('hex')}`;
}

/** The store over `tableName`; `now` gives epoch milliseconds (injected in tests). */
export function createMessageStore(
  documents: DynamoDBDocumentClient,
  tableName: string,
  now: () => number = Date.now,
): MessageStore {
  return {
    async list(limit, cursor) {
      const result = await documents.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': MESSAGE_PARTITION, ':prefix': 'MESSAGE#' },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor === undefined ? {} : { ExclusiveStartKey: messageKey(cursor) }),
        }),
      );
      const messages = (result.Items ?? []).map(toMessage);
      const last: unknown = result.LastEvaluatedKey?.sk;
      return {
        messages,
        ...(typeof last === 'string' ? { cursor: last.slice('MESSAGE#'.length) } : {}),
      };
    },
    async post(authorSub, text) {
      const createdAt = now();
      const message: Message = { messageId: newMessageId(createdAt), text, authorSub, createdAt };
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...messageKey(message.messageId), ...message },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return message;
    },
    async delete(messageId) {
      const result = await documents.send(
        new DeleteCommand({ TableName: tableName, Key: messageKey(messageId), ReturnValues: 'ALL_OLD' }),
      );
      return result.Attributes !== undefined;
    },
  };
}

function toMessage(item: Record<string, unknown>): Message {
  return {
    messageId: String(item.messageId),
    text: String(item.text),
    authorSub: String(item.authorSub),
    createdAt: Number(item.createdAt),
  };
}
