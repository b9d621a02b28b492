// Authorization codes (RFC 6749 4.1.2, RFC 7636): random, stored hashed, single use, short-lived, bound to all
// the authorization request said, and a reused code revokes what was issued from it.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthorizationCodeItem, TableKey } from '../lib/token-table';
import { authorizationCodeKey, isLive } from '../lib/token-table';
import type { Db } from './db';
import { isConditionFailure, putIfAbsent } from './db';

/** RFC 6749 4.1.2 recommends at most 10 minutes; a browser redirect needs seconds. */
export const CODE_TTL_SECONDS = 60;
/** 32 random bytes, base64url. */
const CODE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** RFC 7636 4.2: S256 challenges are base64url SHA-256 digests, 43 characters. */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (text: string): string => createHash('sha256').update(text, 'ascii').digest('base64url');

/** True when the verifier is well-formed and its S256 transform equals the challenge. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  return VERIFIER.test(verifier) && sha256(verifier) === challenge;
}

/** What a code is bound to: the request that produced it and the user who signed in. */
export type CodeGrant = Omit<AuthorizationCodeItem, keyof TableKey | 'usedAt' | 'sid' | 'expiresAt'>;

/** Stores a new code (only its hash) and returns it. */
export async function issueCode(db: Db, grant: CodeGrant, now: number): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  const item: AuthorizationCodeItem = {
    ...authorizationCodeKey(sha256(code)),
    ...grant,
    expiresAt: now + CODE_TTL_SECONDS,
  };
  // A fresh random code cannot be taken: a false here would be a broken invariant.
  if (!(await putIfAbsent(db, item))) throw new Error('authorization code collision');
  return code;
}

export type Redemption =
  | { ok: true; grant: AuthorizationCodeItem; sid: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'reused'; grant?: AuthorizationCodeItem };

export async function findCode(db: Db, code: string): Promise<AuthorizationCodeItem | undefined> {
  if (!CODE.test(code)) return undefined;
  const { Item } = await db.documents.send(
    new GetCommand({
      TableName: db.tableName,
      Key: authorizationCodeKey(sha256(code)),
      ConsistentRead: true,
    }),
  );
  return Item as AuthorizationCodeItem | undefined;
}

/**
 * Marks the code used by one conditional update, recording the session that will be issued from it: of two
 * redemptions exactly one wins, and the loser (or any later one) learns which session to revoke. A used code
 * is kept until `keepUntil` (the session's end), so a replay is recognized for as long as it could do harm.
 */
export async function redeemCode(
  db: Db,
  item: AuthorizationCodeItem,
  now: number,
  keepUntil: number,
): Promise<Redemption> {
  if (item.usedAt !== undefined) return { ok: false, reason: 'reused', grant: item };
  if (!isLive(item, now)) return { ok: false, reason: 'expired', grant: item };
  const sid = randomUUID();
  try {
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET usedAt = :now, sid = :sid, expiresAt = :keep',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': now, ':sid': sid, ':keep': keepUntil },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await db.documents.send(
      new GetCommand({ TableName: db.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
    );
    return { ok: false, reason: 'reused', grant: (Item ?? item) as AuthorizationCodeItem };
  }
  return { ok: true, grant: item, sid };
}
