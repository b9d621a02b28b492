// The token-state check: one consistent BatchGetItem for the revoked-token, session and user items.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { isLive, revokedTokenKey, sessionKey, userKey } from '../lib/token-table';
import type { TableKey } from '../lib/token-table';
import { DependencyError } from './errors';

export type StateVerdict = 'OK' | 'MISSING_JTI' | 'TOKEN_REVOKED' | 'SESSION_REVOKED' | 'USER_DISABLED';

export interface StateClaims {
  sub: string;
  jti?: unknown;
  sid?: unknown;
}

interface StateItem extends TableKey {
  expiresAt?: number;
  revoked?: boolean;
  disabled?: boolean;
  sub?: string;
}

/**
 * Decides whether a verified token of the product's own token service is still good. A token without `jti`
 * cannot be checked for revocation and is refused. A user token (one with `sid`; client_credentials tokens have
 * none) also needs its session live and not revoked, and its user present and enabled. Items past `expiresAt`
 * count as absent (DynamoDB's TTL deletes lazily). Any failure to read, including unprocessed keys, throws a
 * DependencyError: never allow on doubt, never blame the token for an outage.
 */
export async function checkTokenState(
  documents: DynamoDBDocumentClient,
  tableName: string,
  claims: StateClaims,
  nowSeconds: number,
): Promise<StateVerdict> {
  if (typeof claims.jti !== 'string' || claims.jti === '') return 'MISSING_JTI';
  const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
  const keys = [revokedTokenKey(claims.jti)];
  if (sid !== undefined) keys.push(sessionKey(sid), userKey(claims.sub));

  let items: StateItem[];
  try {
    const output = await documents.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName]: {
            Keys: keys,
            // A revocation written a moment ago must be seen; read only what the decision needs.
            ConsistentRead: true,
            ProjectionExpression: '#pk, #sk, #expiresAt, #revoked, #disabled, #sub',
            ExpressionAttributeNames: {
              '#pk': 'pk',
              '#sk': 'sk',
              '#expiresAt': 'expiresAt',
              '#revoked': 'revoked',
              '#disabled': 'disabled',
              '#sub': 'sub',
            },
          },
        },
      }),
    );
    if (Object.keys(output.UnprocessedKeys ?? {}).length > 0) throw new Error('unprocessed keys');
    items = (output.Responses?.[tableName] ?? []) as StateItem[];
  } catch (error) {
    throw new DependencyError('Token state unavailable', 'STATE_UNAVAILABLE', { cause: error });
  }

  const find = (key: TableKey) => items.find((item) => item.pk === key.pk && item.sk === key.sk);
  if (isLive(find(keys[0]!), nowSeconds)) return 'TOKEN_REVOKED';
  if (sid === undefined) return 'OK';
  const session = find(sessionKey(sid));
  if (!isLive(session, nowSeconds) || session?.revoked === true || session?.sub !== claims.sub) {
    return 'SESSION_REVOKED';
  }
  const user = find(userKey(claims.sub));
  if (!isLive(user, nowSeconds) || user?.disabled === true) return 'USER_DISABLED';
  return 'OK';
}
