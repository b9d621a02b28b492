// The single DynamoDB table shared by the token service (writer) and the authorizer (reader): keys and item shapes.
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
export interface UserItem extends TableKey {
  sub: string;
  username: string;
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

export const userKey = (sub: string): TableKey => ({ pk: `USER#${sub}`, sk: 'USER' });
export const usernameKey = (normalizedName: string): TableKey => ({
  pk: `USERNAME#${normalizedName}`,
  sk: 'USERNAME',
});
export const clientKey = (clientId: string): TableKey => ({ pk: `CLIENT#${clientId}`, sk: 'CLIENT' });
export const sessionKey = (sid: string): TableKey => ({ pk: `SESSION#${sid}`, sk: 'SESSION' });
export const refreshKey = (tokenHash: string): TableKey => ({ pk: `REFRESH#${tokenHash}`, sk: 'REFRESH' });
export const revokedTokenKey = (jti: string): TableKey => ({ pk: `REVOKED#${jti}`, sk: 'REVOKED' });
export const loginSourceKey = (account: string, source: string): TableKey => ({
  pk: `LOGIN#${account}`,
  sk: `SOURCE#${source}`,
});
export const loginWindowKey = (account: string, window: number): TableKey => ({
  pk: `LOGIN#${account}`,
  sk: `WINDOW#${window}`,
});
export const roleGuardKey = (): TableKey => ({ pk: 'ROLEGUARD#', sk: 'ROLEGUARD' });

/** True when an item exists and has not passed its TTL (`now` in epoch seconds). */
export function isLive(item: { expiresAt?: number } | undefined, now: number): boolean {
  return item !== undefined && (item.expiresAt === undefined || item.expiresAt > now);
}
