// The one password check every sign-in path uses: throttled, timing-blind to unknown users, rehashing weak hashes.
import { randomUUID } from 'node:crypto';
import type { UserItem } from '../lib/token-table';
import type { ServiceContext } from './context';
import { reserveLoginAttempt, sourceOf } from './login-throttle';
import { OAuthError } from './oauth-errors';
import { findUserByName, getUser, normalizeUsername, replacePasswordHash } from './users';

export interface PasswordLogin {
  username: string;
  password: string;
  /** `requestContext.identity.sourceIp` of the request. */
  sourceIp: string | undefined;
}

export type PasswordLoginContext = Pick<
  ServiceContext,
  'db' | 'hasher' | 'passwordWork' | 'loginThrottle' | 'now' | 'logger'
>;

/** One answer for unknown user, wrong password and disabled account (no user enumeration). */
export const badCredentials = (): OAuthError =>
  new OAuthError('invalid_grant', 'invalid username or password');

const tooManyAttempts = (seconds: number): OAuthError =>
  new OAuthError('invalid_grant', `too many login attempts; retry after ${seconds} seconds`, 429, {
    'Retry-After': String(seconds),
  });

/**
 * Returns the user whose name and password these are, or throws an OAuthError: `invalid_grant` (400) for bad
 * credentials, the same answer for every reason; `invalid_grant` with 429 and `Retry-After` while the account and
 * source are throttled. The attempt is reserved before the password is checked (see login-throttle.ts), and the
 * hash runs inside the service's work limit (a full queue throws BusyError: 503).
 *
 * @example const user = await verifyPasswordLogin(context, { username, password, sourceIp });
 */
export async function verifyPasswordLogin(
  context: PasswordLoginContext,
  login: PasswordLogin,
): Promise<UserItem> {
  const { db, hasher, logger } = context;
  const name = normalizeUsername(login.username);
  return context.passwordWork.run(async () => {
    if (name === undefined) {
      // No account can have this name: nothing to throttle, the same work and answer as a wrong password.
      await hasher.verifyDummy(login.password);
      throw badCredentials();
    }
    const now = context.now();
    const reservation = await reserveLoginAttempt(
      db,
      context.loginThrottle,
      name,
      sourceOf(login.sourceIp),
      now,
    );
    if (!reservation.ok) {
      logger.info('login throttled', { retryAfter: reservation.retryAfterSeconds });
      throw tooManyAttempts(reservation.retryAfterSeconds);
    }
    const user = await findUserByName(db, name);
    if (!user) {
      // The same work as for a real account: a second read and a full scrypt.
      await getUser(db, randomUUID());
      await hasher.verifyDummy(login.password);
      logger.info('login refused', { reason: 'unknown user' });
      throw badCredentials();
    }
    // Verified even when disabled, so that answer takes as long as any other.
    const passwordOk = await hasher.verify(login.password, user.passwordHash);
    if (user.disabled === true || !passwordOk) {
      logger.info('login refused', { reason: passwordOk ? 'disabled' : 'wrong password', sub: user.sub });
      throw badCredentials();
    }
    await reservation.attempt.succeeded();
    if (hasher.needsRehash(user.passwordHash)) {
      await replacePasswordHash(db, user, await hasher.hash(login.password));
    }
    return user;
  });
}
