// User profiles from the token service's USER items (never the password hash), and their roles.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userKey } from '../lib/token-table';

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

/** A scan key as an opaque cursor; a malformed one reads as undefined (the caller answers 400). */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');
}

export function decodeCursor(cursor: string): { pk: string; sk: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
    const { pk, sk } = value;
    return typeof pk === 'string' && typeof sk === 'string' && pk.length <= 1024 && sk.length <= 1024
      ? { pk, sk }
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
      const start = cursor === undefined ? undefined : decodeCursor(cursor);
      // The table has no index of users: a filtered scan, fine for an admin listing of a sample API.
      const result = await documents.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'sk = :user AND begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':user': 'USER', ':prefix': 'USER#' },
          ProjectionExpression: PROFILE,
          ExpressionAttributeNames: PROFILE_NAMES,
          Limit: limit,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      return {
        users: (result.Items ?? []).map(toProfile),
        ...(result.LastEvaluatedKey === undefined ? {} : { cursor: encodeCursor(result.LastEvaluatedKey) }),
      };
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
