// GET /auth/userinfo (OpenID Connect Core 5.3): who the bearer of an access token with `openid` is.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { SessionItem } from '../lib/token-table';
import { isLive, revokedTokenKey, sessionKey } from '../lib/token-table';
import type { ServiceContext } from './context';
import { header } from './form';
import { jsonResponse, OAuthError } from './oauth-errors';
import { OPENID_SCOPE } from './scopes';
import { getUser } from './users';

const REALM = 'scopegate';

/**
 * RFC 6750 section 3: the challenge names what is wrong. API Gateway renames the header in a proxy response
 * (`x-amzn-Remapped-WWW-Authenticate`), so the JSON body says the same.
 */
const refuse = (code: 'invalid_token' | 'insufficient_scope', description: string, status: number) =>
  new OAuthError(code, description, status, {
    'WWW-Authenticate': `Bearer realm="${REALM}", error="${code}"${code === 'insufficient_scope' ? `, scope="${OPENID_SCOPE}"` : ''}`,
  });

export async function userInfo(
  context: ServiceContext,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const { db } = context;
  const match = /^Bearer ([A-Za-z0-9._-]{1,8192})$/i.exec(header(event, 'authorization')?.trim() ?? '');
  if (!match) throw refuse('invalid_token', 'a bearer access token is required', 401);
  const now = context.now();
  const payload = await context.verifyAccessToken(match[1]!, now);
  if (payload === undefined) throw refuse('invalid_token', 'the access token is invalid or expired', 401);
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (!scope.includes(OPENID_SCOPE)) {
    throw refuse('insufficient_scope', 'the access token was not granted the openid scope', 403);
  }
  // The same state the authorizer checks: a revoked token, an ended session or a disabled user answer nothing.
  const get = (key: { pk: string; sk: string }) =>
    db.documents.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }));
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  const [revoked, session, user] = await Promise.all([
    get(revokedTokenKey(payload.jti!)),
    sid === undefined ? Promise.resolve({ Item: undefined }) : get(sessionKey(sid)),
    getUser(db, payload.sub!),
  ]);
  const sessionItem = session.Item as SessionItem | undefined;
  const ended = sid !== undefined && (!isLive(sessionItem, now) || sessionItem?.revoked === true);
  if (
    isLive(revoked.Item as { expiresAt?: number } | undefined, now) ||
    ended ||
    !user ||
    user.disabled === true
  ) {
    throw refuse('invalid_token', 'the access token is invalid or expired', 401);
  }
  return jsonResponse(200, { sub: user.sub, preferred_username: user.username });
}
