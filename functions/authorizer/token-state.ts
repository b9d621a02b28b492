// The token-state check: one consistent BatchGetItem for the revoked-token, session, user and client items.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { clientKey, isLive, revokedTokenKey, sessionKey, userKey } from '../lib/token-table';
import type { TableKey } from '../lib/token-table';
import { DependencyError } from './errors';

export type StateVerdict =
  | 'OK'
  | 'MISSING_JTI'
  | 'MALFORMED_CLAIM'
  | 'MISSING_CLIENT'
  | 'TOKEN_REVOKED'
  | 'MISSING_SESSION'
  | 'SESSION_REVOKED'
  | 'USER_DISABLED'
  | 'CLIENT_DISABLED';

export interface StateClaims {
  sub: string;
  jti?: unknown;
  sid?: unknown;
  client_id?: unknown;
}

/** The verdict and, when it is `OK`, the roles the token's principal (user or client) holds today. */
export type TokenState = { verdict: 'OK'; heldRoles: string[] } | { verdict: Exclude<StateVerdict, 'OK'> };

interface StateItem extends TableKey {
  expiresAt?: number;
  revoked?: boolean;
  disabled?: boolean;
  sub?: string;
  roles?: unknown;
}

/**
 * The token service's ids are short; a longer one is no key of ours, and DynamoDB refuses keys over 2 KB with an
 * error that must not become a 500. 256 characters stay under that in UTF-8.
 */
const MAX_ID_LENGTH = 256;

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const tooLong = (...values: unknown[]): boolean =>
  values.some((value) => typeof value === 'string' && value.length > MAX_ID_LENGTH);

const rolesOf = (item: StateItem | undefined): string[] =>
  Array.isArray(item?.roles) ? item.roles.filter((role): role is string => typeof role === 'string') : [];

/**
 * Decides whether a verified token of the product's own token service is still good, and which roles its
 * principal still holds (a token keeps its roles until it expires; the table says what is true now). A token
 * without `jti` cannot be checked for revocation, one without `client_id` has no client to check: both are
 * refused, and so is one whose ids are longer than any the service issues. Every token needs its client present and enabled. A user token (one with `sid`; client_credentials
 * tokens have none) also needs its session live and not revoked, and its user present and enabled; a client
 * token's subject is its client. Items past `expiresAt` count as absent (DynamoDB's TTL deletes lazily). Any
 * failure to read, including unprocessed keys, throws a DependencyError: never allow on doubt, never blame the
 * token for an outage.
 *
 * @example await checkTokenState(documents, 'table', { sub: 'u1', jti: 'j1', sid: 's1', client_id: 'web' }, now)
 *          // { verdict: 'OK', heldRoles: ['User'] }
 */
export async function checkTokenState(
  documents: DynamoDBDocumentClient,
  tableName: string,
  claims: StateClaims,
  nowSeconds: number,
): Promise<TokenState> {
  if (tooLong(claims.sub, claims.jti, claims.sid, claims.client_id)) return { verdict: 'MALFORMED_CLAIM' };
  const jti = nonEmpty(claims.jti);
  if (jti === undefined) return { verdict: 'MISSING_JTI' };
  const clientId = nonEmpty(claims.client_id);
  if (clientId === undefined) return { verdict: 'MISSING_CLIENT' };
  const sid = nonEmpty(claims.sid);
  const keys = [revokedTokenKey(jti), clientKey(clientId)];
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
            ProjectionExpression: '#pk, #sk, #expiresAt, #revoked, #disabled, #sub, #roles',
            ExpressionAttributeNames: {
              '#pk': 'pk',
              '#sk': 'sk',
              '#expiresAt': 'expiresAt',
              '#revoked': 'revoked',
              '#disabled': 'disabled',
              '#sub': 'sub',
              '#roles': 'roles',
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
  if (isLive(find(keys[0]!), nowSeconds)) return { verdict: 'TOKEN_REVOKED' };
  const client = find(clientKey(clientId));
  if (!isLive(client, nowSeconds) || client?.disabled === true) return { verdict: 'CLIENT_DISABLED' };
  if (sid === undefined) {
    // A client_credentials token: the client is the subject.
    return claims.sub === clientId
      ? { verdict: 'OK', heldRoles: rolesOf(client) }
      : { verdict: 'MISSING_SESSION' };
  }
  const session = find(sessionKey(sid));
  if (!isLive(session, nowSeconds) || session?.revoked === true || session?.sub !== claims.sub) {
    return { verdict: 'SESSION_REVOKED' };
  }
  const user = find(userKey(claims.sub));
  if (!isLive(user, nowSeconds) || user?.disabled === true) return { verdict: 'USER_DISABLED' };
  return { verdict: 'OK', heldRoles: rolesOf(user) };
}
