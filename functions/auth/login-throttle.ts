// Password-guessing limits: per account and source address with growing delays, and an account-wide ceiling.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isIP } from 'node:net';
import type { LoginSourceItem } from '../lib/token-table';
import { isLive, loginSourceKey, loginWindowKey } from '../lib/token-table';
import type { Db } from './db';
import { isConditionFailure } from './db';

export interface LoginThrottlePolicy {
  /** Attempts on one account from one source before delays start. */
  freeAttempts: number;
  /** The delay after the last free attempt, seconds; it doubles with every further attempt. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** Attempts on one account per window from all sources that have not signed in to it before. */
  accountCeiling: number;
  windowSeconds: number;
  /** How long a source that signed in successfully stays exempt from the account-wide ceiling. */
  trustSeconds: number;
  /** How long a source's count is kept after its last attempt. */
  forgetSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottlePolicy = {
  freeAttempts: 5,
  firstDelaySeconds: 15,
  maxDelaySeconds: 900,
  accountCeiling: 100,
  windowSeconds: 900,
  trustSeconds: 30 * 24 * 3600,
  forgetSeconds: 24 * 3600,
};

/** An attempt that may check the password; `succeeded` after a correct one resets the source's count. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

export type Reservation = { ok: true; attempt: LoginAttempt } | { ok: false; retryAfterSeconds: number };

/** The seconds an n-th attempt (counting from 1) makes the next one from the same source wait. */
export function delayAfter(policy: LoginThrottlePolicy, attempts: number): number {
  if (attempts < policy.freeAttempts) return 0;
  const doublings = Math.min(attempts - policy.freeAttempts, 30);
  return Math.min(policy.firstDelaySeconds * 2 ** doublings, policy.maxDelaySeconds);
}

/**
 * The throttled source of a request: an IPv4 address, or the /64 of an IPv6 one (one subscriber usually holds a
 * whole /64). Anything else shares one bucket, so a missing address never escapes the limits.
 */
export function sourceOf(sourceIp: string | undefined): string {
  const ip = (sourceIp ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(ip) === 4) return ip;
  if (isIP(ip) !== 6) return 'unknown';
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group: string) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Reserves one password check for `account` from `source` before the password is looked at: one conditional
 * write on the source's revision, so of concurrent attempts exactly one proceeds and the others are refused,
 * however many arrive at once. Then, for a source that has not signed in to this account before, one atomic
 * increment of the account's window count, refused at the ceiling. Refusals say when to retry; nobody is locked
 * out for longer than the largest delay, and never from a source that signed in before.
 *
 * @example const reservation = await reserveLoginAttempt(db, DEFAULT_LOGIN_THROTTLE, 'alice', '203.0.113.7', now);
 */
export async function reserveLoginAttempt(
  db: Db,
  policy: LoginThrottlePolicy,
  account: string,
  source: string,
  now: number,
): Promise<Reservation> {
  const key = loginSourceKey(account, source);
  const { Item } = await db.documents.send(
    new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }),
  );
  const stored = Item as LoginSourceItem | undefined;
  const live = isLive(stored, now) ? stored : undefined;
  if (live !== undefined && live.notBefore > now)
    return { ok: false, retryAfterSeconds: live.notBefore - now };
  const trustedUntil =
    live?.trustedUntil !== undefined && live.trustedUntil > now ? live.trustedUntil : undefined;
  const attempts = (live?.attempts ?? 0) + 1;
  const revision = (stored?.revision ?? 0) + 1;
  const next: LoginSourceItem = {
    ...key,
    attempts,
    notBefore: now + delayAfter(policy, attempts),
    revision,
    ...(trustedUntil === undefined ? {} : { trustedUntil }),
    expiresAt: Math.max(now + policy.forgetSeconds, trustedUntil ?? 0),
  };
  try {
    await db.documents.send(
      new PutCommand({
        TableName: db.tableName,
        Item: next,
        ...(stored === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#revision = :seen',
              ExpressionAttributeNames: { '#revision': 'revision' },
              ExpressionAttributeValues: { ':seen': stored.revision },
            }),
      }),
    );
  } catch (error) {
    // Another attempt from this source reserved first: this one waits its turn.
    if (isConditionFailure(error)) return { ok: false, retryAfterSeconds: 1 };
    throw error;
  }
  if (trustedUntil === undefined) {
    const window = Math.floor(now / policy.windowSeconds);
    const windowEnds = (window + 1) * policy.windowSeconds;
    try {
      await db.documents.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: loginWindowKey(account, window),
          UpdateExpression: 'ADD #attempts :one SET #expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#attempts) OR #attempts < :ceiling',
          ExpressionAttributeNames: { '#attempts': 'attempts', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':one': 1, ':ceiling': policy.accountCeiling, ':expires': windowEnds },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return { ok: false, retryAfterSeconds: windowEnds - now };
      throw error;
    }
  }
  const succeeded = async (): Promise<void> => {
    const until = now + policy.trustSeconds;
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression:
          'SET #attempts = :zero, #notBefore = :zero, #trustedUntil = :until, #expiresAt = :until ADD #revision :one',
        ExpressionAttributeNames: {
          '#attempts': 'attempts',
          '#notBefore': 'notBefore',
          '#trustedUntil': 'trustedUntil',
          '#expiresAt': 'expiresAt',
          '#revision': 'revision',
        },
        ExpressionAttributeValues: { ':zero': 0, ':until': until, ':one': 1 },
      }),
    );
  };
  return { ok: true, attempt: { succeeded } };
}
