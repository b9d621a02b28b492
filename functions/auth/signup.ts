// POST /auth/signup: creates a user with the default roles; a taken name answers 409 and changes nothing.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ServiceContext } from './context';
import { parseFormOrJson, required } from './form';
import { jsonResponse, OAuthError } from './oauth-errors';
import { createUser, normalizeUsername, USERNAME_RULE } from './users';

/** Long enough for a passphrase, short enough that hashing it is never a burden. */
const MAX_PASSWORD_LENGTH = 256;

export async function signUp(
  context: ServiceContext,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const params = parseFormOrJson(event, context.bodyLimit);
  const username = normalizeUsername(required(params, 'username', 256));
  if (username === undefined) {
    throw new OAuthError('invalid_request', `username must be ${USERNAME_RULE}`);
  }
  const password = required(params, 'password', MAX_PASSWORD_LENGTH);
  if ([...password].length < context.minPasswordLength) {
    throw new OAuthError(
      'invalid_request',
      `password must have at least ${context.minPasswordLength} characters`,
    );
  }
  const passwordHash = await context.passwordWork.run(() => context.hasher.hash(password));
  const user = await createUser(context.db, {
    username,
    passwordHash,
    roles: context.defaultRoles,
    now: context.now(),
  });
  if (user === 'taken') {
    return jsonResponse(409, {
      error: 'username_taken',
      error_description: 'this username is not available',
    });
  }
  context.logger.info('user signed up', { sub: user.sub });
  return jsonResponse(201, { sub: user.sub, username: user.username, roles: user.roles });
}
