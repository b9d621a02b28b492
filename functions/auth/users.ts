// User accounts: user-name reservation, creation, look-up, password-hash upgrades, roles and disabling.
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { UserItem, UsernameItem } from '../lib/token-table';
import { userIndexKey, userKey, usernameKey } from '../lib/token-table';
import type { Db } from './db';
import { isConditionFailure, putIfAbsent } from './db';

/** User names (or e-mail addresses) after normalization: 3 to 128 of a-z 0-9 . _ @ + - */
const USERNAME = /^[a-z0-9._@+-]{3,128}$/;

/** The rule, as every error about a user name states it (and the README). */
export const USERNAME_RULE = '3 to 128 of: letters, digits . _ @ + - (letters compared without case)';

/** NFKC, trimmed and lower-cased, so `Alice` and `alice` cannot both be registered; undefined when not allowed. */
export function normalizeUsername(raw: string): string | undefined {
  const name = raw.normalize('NFKC').trim().toLowerCase();
  return USERNAME.test(name) ? name : undefined;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  roles: string[];
  now: number;
}

/** Reserves the name with a conditional put first: a taken name is never overwritten and nothing else is written. */
export async function createUser(db: Db, user: NewUser): Promise<UserItem | 'taken'> {
  const sub = randomUUID();
  const reservation: UsernameItem = { ...usernameKey(user.username), sub };
  if (!(await putIfAbsent(db, reservation))) return 'taken';
  const item: UserItem = {
    ...userKey(sub),
    ...userIndexKey(user.username),
    sub,
    passwordHash: user.passwordHash,
    roles: user.roles,
    createdAt: user.now,
  };
  try {
    // A fresh random sub cannot be taken: a false here would be a broken invariant, reported like an outage.
    if (!(await putIfAbsent(db, item))) throw new Error(`user ${sub} already exists`);
  } catch (error) {
    // Give the name back rather than leave it reserved by nobody.
    await db.documents
      .send(
        new DeleteCommand({
          TableName: db.tableName,
          Key: usernameKey(user.username),
          ConditionExpression: '#sub = :sub',
          ExpressionAttributeNames: { '#sub': 'sub' },
          ExpressionAttributeValues: { ':sub': sub },
        }),
      )
      .catch(() => undefined);
    throw error;
  }
  return item;
}

export async function getUser(db: Db, sub: string): Promise<UserItem | undefined> {
  const { Item } = await db.documents.send(
    new GetCommand({ TableName: db.tableName, Key: userKey(sub), ConsistentRead: true }),
  );
  return Item as UserItem | undefined;
}

export async function findUserByName(db: Db, normalized: string): Promise<UserItem | undefined> {
  const { Item } = await db.documents.send(
    new GetCommand({ TableName: db.tableName, Key: usernameKey(normalized), ConsistentRead: true }),
  );
  const reservation = Item as UsernameItem | undefined;
  return reservation ? getUser(db, reservation.sub) : undefined;
}

/** Replaces a weaker stored hash after a successful login, only if nobody changed the password meanwhile. */
export async function replacePasswordHash(db: Db, user: UserItem, newPasswordHash: string): Promise<void> {
  await db.documents
    .send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: userKey(user.sub),
        UpdateExpression: 'SET passwordHash = :new',
        ConditionExpression: 'passwordHash = :old',
        ExpressionAttributeValues: { ':old': user.passwordHash, ':new': newPasswordHash },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** Updates an existing user; false when there is no such user. */
async function updateUser(
  db: Db,
  sub: string,
  expression: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: userKey(sub),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export const setUserRoles = (db: Db, sub: string, roles: string[]): Promise<boolean> =>
  updateUser(db, sub, 'SET #roles = :roles', { '#roles': 'roles' }, { ':roles': roles });

export const setUserDisabled = (db: Db, sub: string, disabled: boolean): Promise<boolean> =>
  updateUser(db, sub, 'SET #disabled = :disabled', { '#disabled': 'disabled' }, { ':disabled': disabled });

/** A new password hash; failed logins and a lock are forgotten with the old password. */
export const setUserPassword = (db: Db, sub: string, passwordHash: string): Promise<boolean> =>
  updateUser(
    db,
    sub,
    'SET #hash = :hash REMOVE #failed, #locked',
    { '#hash': 'passwordHash', '#failed': 'failedLogins', '#locked': 'lockedUntil' },
    { ':hash': passwordHash },
  );
