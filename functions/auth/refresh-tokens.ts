// Refresh-token families: opaque 256-bit tokens stored as SHA-256 hashes, rotated by one conditional update.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RefreshItem, SessionItem } from '../lib/token-table';
import { isLive, refreshKey, sessionKey } from '../lib/token-table';
import type { Db } from './db';
import { isConditionFailure } from './db';

/** 32 random bytes in base64url: exactly 43 characters. */
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export const looksLikeRefreshToken = (token: string): boolean => REFRESH_TOKEN.test(token);

async function putRefresh(
  db: Db,
  hash: string,
  sid: string,
  generation: number,
  expiresAt: number,
): Promise<void> {
  const item: RefreshItem = { ...refreshKey(hash), sid, generation, expiresAt };
  await db.documents.send(
    new PutCommand({ TableName: db.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
}

export interface NewSession {
  /** Chosen in advance when something must name the session before it exists (a redeemed code). */
  sid?: string;
  sub: string;
  clientId: string;
  scope: string;
  now: number;
  absoluteTtl: number;
}

/** Opens a family (one login) and returns its first refresh token. */
export async function startSession(
  db: Db,
  input: NewSession,
): Promise<{ session: SessionItem; refreshToken: string }> {
  const sid = input.sid ?? randomUUID();
  const { token, hash } = newRefreshToken();
  const session: SessionItem = {
    ...sessionKey(sid),
    sid,
    sub: input.sub,
    clientId: input.clientId,
    scope: input.scope,
    currentHash: hash,
    generation: 0,
    revoked: false,
    createdAt: input.now,
    lastUsedAt: input.now,
    expiresAt: input.now + input.absoluteTtl,
  };
  // The hash index first: should the session write fail, the token leads nowhere and is simply invalid.
  await putRefresh(db, hash, sid, 0, session.expiresAt);
  await db.documents.send(
    new PutCommand({
      TableName: db.tableName,
      Item: session,
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { session, refreshToken: token };
}

export interface Family {
  presentedHash: string;
  refresh: RefreshItem;
  session: SessionItem;
}

/** The family a presented token belongs to (current or already rotated), or undefined. */
export async function findFamily(db: Db, token: string, now: number): Promise<Family | undefined> {
  if (!looksLikeRefreshToken(token)) return undefined;
  const presentedHash = hashRefreshToken(token);
  const { Item: refresh } = await db.documents.send(
    new GetCommand({ TableName: db.tableName, Key: refreshKey(presentedHash), ConsistentRead: true }),
  );
  if (!isLive(refresh as RefreshItem | undefined, now)) return undefined;
  const { sid } = refresh as RefreshItem;
  const { Item: session } = await db.documents.send(
    new GetCommand({ TableName: db.tableName, Key: sessionKey(sid), ConsistentRead: true }),
  );
  if (!isLive(session as SessionItem | undefined, now)) return undefined;
  return { presentedHash, refresh: refresh as RefreshItem, session: session as SessionItem };
}

/** True when the presented token is an already-rotated one: the signal of a stolen token (RFC 9700 4.14). */
export const isRotatedToken = (family: Family): boolean =>
  family.refresh.generation !== family.session.generation ||
  family.presentedHash !== family.session.currentHash;

/**
 * Rotates the family: one conditional update on the session decides the race, so of two concurrent refreshes
 * of one token exactly one gets a new token. Undefined when this request lost (or the family was revoked).
 */
export async function rotate(db: Db, family: Family, now: number): Promise<string | undefined> {
  const { session, presentedHash } = family;
  const next = newRefreshToken();
  await putRefresh(db, next.hash, session.sid, session.generation + 1, session.expiresAt);
  try {
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: sessionKey(session.sid),
        UpdateExpression: 'SET currentHash = :next, generation = :after, lastUsedAt = :now',
        ConditionExpression: 'currentHash = :presented AND generation = :before AND revoked = :false',
        ExpressionAttributeValues: {
          ':next': next.hash,
          ':after': session.generation + 1,
          ':now': now,
          ':presented': presentedHash,
          ':before': session.generation,
          ':false': false,
        },
      }),
    );
    return next.token;
  } catch (error) {
    // The loser's token was never handed out: remove its index entry.
    await db.documents
      .send(new DeleteCommand({ TableName: db.tableName, Key: refreshKey(next.hash) }))
      .catch(() => undefined);
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Ends every token of the family; the authorizer sees it on the next request (session state check). */
export async function revokeSession(db: Db, sid: string): Promise<void> {
  try {
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: sessionKey(sid),
        UpdateExpression: 'SET revoked = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
