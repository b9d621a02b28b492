// The single DynamoDB table shared by the token service (writer) and the authorizer (reader): item kinds, keys
// and item shapes.
//
// One table, string keys `pk` and `sk`, TTL attribute `expiresAt` (epoch seconds). DynamoDB deletes expired
// items lazily (and dynalite never does), so every reader treats an item past `expiresAt` as absent.

/** Name of the TTL attribute; the Pulumi program and the local stack configure the table with it. */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface TableKey {
  pk: string;
  sk: string;
}

/** A user account. `sub` is a random id, never the user name. */
export interface UserItem extends TableKey, UserIndexKey {
  sub: string;
  passwordHash: string;
  roles: string[];
  disabled?: boolean;
  createdAt: number;
}

/** Reserves a normalized user name (conditional put: a taken name is never overwritten). */
export interface UsernameItem extends TableKey {
  sub: string;
}

/** An OAuth2 client; confidential clients carry a secret hash. */
export interface ClientItem extends TableKey {
  clientId: string;
  secretHash?: string;
  grantTypes: string[];
  roles: string[];
  disabled?: boolean;
  createdAt: number;
}

/** A refresh-token family (one login). Revoking it ends every token of the family. */
export interface SessionItem extends TableKey {
  sid: string;
  sub: string;
  clientId: string;
  scope: string;
  currentHash: string;
  generation: number;
  revoked?: boolean;
  createdAt: number;
  lastUsedAt: number;
  /** Absolute expiry of the family. */
  expiresAt: number;
}

/** Maps a refresh-token hash (current or already rotated) to its family, so reuse of an old one is detected. */
export interface RefreshItem extends TableKey {
  sid: string;
  generation: number;
  expiresAt: number;
}

/** A revoked access token, kept until the token would have expired anyway. */
export interface RevokedTokenItem extends TableKey {
  jti: string;
  expiresAt: number;
}

/**
 * Password-login attempts on one account (normalized user name, existing or not) from one source address:
 * reserved by a conditional write on `revision` before the password is checked.
 */
export interface LoginSourceItem extends TableKey {
  attempts: number;
  /** Epoch seconds before which the next attempt from this source is refused. */
  notBefore: number;
  revision: number;
  /** A successful login from this source: exempt from the account-wide ceiling until then. */
  trustedUntil?: number;
  expiresAt: number;
}

/** Password-login attempts on one account from sources not trusted, in one fixed window. */
export interface LoginWindowItem extends TableKey {
  attempts: number;
  expiresAt: number;
}

/** Serializes changes that could leave no holder of a role that manages roles (a lease, not a lock forever). */
export interface RoleGuardItem extends TableKey {
  owner: string;
  expiresAt: number;
}

/**
 * Every kind of item in the table, by its partition key: `prefix` starts every partition key of the kind, or,
 * with `singlePartition`, is the one partition key all its items share. The key builders below use these
 * prefixes and the Pulumi program derives each function's `dynamodb:LeadingKeys` grant from them, so a new item
 * kind is added here, once.
 */
export const ITEM_KINDS = {
  user: { prefix: 'USER#' },
  username: { prefix: 'USERNAME#' },
  client: { prefix: 'CLIENT#' },
  session: { prefix: 'SESSION#' },
  refresh: { prefix: 'REFRESH#' },
  revoked: { prefix: 'REVOKED#' },
  /** Password-login attempts per account (per source, and per window). */
  login: { prefix: 'LOGIN#' },
  /** The lease that serializes changes to who may manage roles. */
  roleGuard: { prefix: 'ROLEGUARD#', singlePartition: true },
  /** The sample API's messages: one partition, sorted by message id. */
  message: { prefix: 'MESSAGE', singlePartition: true },
} as const satisfies Record<string, { prefix: string; singlePartition?: true }>;

export type ItemKind = keyof typeof ITEM_KINDS;

/** The IAM pattern (`StringLike`) matching every partition key of `kind`: `USER#*`, or `MESSAGE` exactly. */
export function partitionKeyPattern(kind: ItemKind): string {
  const entry: { prefix: string; singlePartition?: true } = ITEM_KINDS[kind];
  return entry.singlePartition === true ? entry.prefix : `${entry.prefix}*`;
}

export const userKey = (sub: string): TableKey => ({ pk: `${ITEM_KINDS.user.prefix}${sub}`, sk: 'USER' });

/**
 * The sparse global secondary index that lists users and nothing else, in user-name order: only user items
 * carry its key attributes, so every page read from it is a page of users.
 */
export const USER_INDEX = {
  name: 'users',
  partitionKey: 'userList',
  sortKey: 'username',
  /** Only the profile is copied into the index: a Query through it can never read a password hash. */
  projected: ['sub', 'roles', 'disabled', 'createdAt'],
} as const;

/** The index keys of a user item: one partition holding every user, sorted by normalized name. */
export interface UserIndexKey {
  userList: 'USERS';
  username: string;
}

export const userIndexKey = (normalizedName: string): UserIndexKey => ({
  userList: 'USERS',
  username: normalizedName,
});
export const usernameKey = (normalizedName: string): TableKey => ({
  pk: `${ITEM_KINDS.username.prefix}${normalizedName}`,
  sk: 'USERNAME',
});
export const clientKey = (clientId: string): TableKey => ({
  pk: `${ITEM_KINDS.client.prefix}${clientId}`,
  sk: 'CLIENT',
});
export const sessionKey = (sid: string): TableKey => ({
  pk: `${ITEM_KINDS.session.prefix}${sid}`,
  sk: 'SESSION',
});
export const refreshKey = (tokenHash: string): TableKey => ({
  pk: `${ITEM_KINDS.refresh.prefix}${tokenHash}`,
  sk: 'REFRESH',
});
export const revokedTokenKey = (jti: string): TableKey => ({
  pk: `${ITEM_KINDS.revoked.prefix}${jti}`,
  sk: 'REVOKED',
});
export const loginSourceKey = (account: string, source: string): TableKey => ({
  pk: `${ITEM_KINDS.login.prefix}${account}`,
  sk: `SOURCE#${source}`,
});
export const loginWindowKey = (account: string, window: number): TableKey => ({
  pk: `${ITEM_KINDS.login.prefix}${account}`,
  sk: `WINDOW#${window}`,
});
export const roleGuardKey = (): TableKey => ({ pk: ITEM_KINDS.roleGuard.prefix, sk: 'ROLEGUARD' });

/** True when an item exists and has not passed its TTL (`now` in epoch seconds). */
export function isLive(item: { expiresAt?: number } | undefined, now: number): boolean {
  return item !== undefined && (item.expiresAt === undefined || item.expiresAt > now);
}
