// User profiles from the token service's USER items (never the password hash), and their roles.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { USER_INDEX, userIndexKey, userKey } from '../lib/token-table';

/** What the API shows of a user. */
export interface UserProfile {
  sub: string;
  username: string;
  roles: string[];
  disabled: boolean;
  createdAt: number;
}

export interface UserPage {
  users: UserProfile[];
  /** Opaque; pass back as `cursor` for the next page. */
  cursor?: string;
}

export interface UserStore {
  get(sub: string): Promise<UserProfile | undefined>;
  list(limit: number, cursor?: string): Promise<UserPage>;
  /** The updated profile, or undefined when there is no such user. */
  setRoles(sub: string, roles: string[]): Promise<UserProfile | undefined>;
}

const PROFILE_NAMES = {
  '#sub': 'sub',
  '#username': 'username',
  '#roles': 'roles',
  '#disabled': 'disabled',
  '#createdAt': 'createdAt',
};
const PROFILE = Object.keys(PROFILE_NAMES).join(', ');

/**
 * The cursor names the last user of a page (its sub and user name, both shown in that page), never a table key:
 * the store rebuilds the index key from it. A malformed one reads as undefined (the caller answers 400).
 */
export function encodeCursor(last: Pick<UserProfile, 'sub' | 'username'>): string {
  return Buffer.from(JSON.stringify([last.sub, last.username])).toString('base64url');
}

export function decodeCursor(cursor: string): { sub: string; username: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [sub, username] = value as unknown[];
    return typeof sub === 'string' &&
      typeof username === 'string' &&
      sub.length <= 128 &&
      username.length <= 128
      ? { sub, username }
      : undefined;
  } catch {
    return undefined;
  }
}

export function createUserStore(documents: DynamoDBDocumentClient, tableName: string): UserStore {
  return {
    async get(sub) {
      const result = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: userKey(sub),
          ProjectionExpression: PROFILE,
          ExpressionAttributeNames: PROFILE_NAMES,
        }),
      );
      return result.Item === undefined ? undefined : toProfile(result.Item);
    },
    async list(limit, cursor) {
      const last = cursor === undefined ? undefined : decodeCursor(cursor);
      // The user index holds user items only. One item more than asked says whether another page exists,
      // so a page is never empty and the last one carries no cursor.
      const result = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: USER_INDEX.name,
          KeyConditionExpression: '#list = :list',
          ExpressionAttributeNames: { ...PROFILE_NAMES, '#list': USER_INDEX.partitionKey },
          ExpressionAttributeValues: { ':list': userIndexKey('').userList },
          ProjectionExpression: PROFILE,
          Limit: limit + 1,
          ...(last === undefined
            ? {}
            : { ExclusiveStartKey: { ...userKey(last.sub), ...userIndexKey(last.username) } }),
        }),
      );
      const users = (result.Items ?? []).map(toProfile);
      const page = users.slice(0, limit);
      return users.length > limit
        ? { users: page, cursor: encodeCursor(page[page.length - 1]!) }
        : { users: page };
    },
    async setRoles(sub, roles) {
      try {
        const result = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: userKey(sub),
            UpdateExpression: 'SET #roles = :roles',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#roles': 'roles' },
            ExpressionAttributeValues: { ':roles': roles },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return result.Attributes === undefined ? undefined : toProfile(result.Attributes);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },
  };
}

function toProfile(item: Record<string, unknown>): UserProfile {
  return {
    sub: String(item.sub),
    username: String(item.username),
    roles: Array.isArray(item.roles) ? item.roles.map(String) : [],
    disabled: item.disabled === true,
    createdAt: Number(item.createdAt),
  };
}
