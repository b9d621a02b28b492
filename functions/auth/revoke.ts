// POST /auth/revoke (RFC 7009): ends a refresh-token family or blocks an access token's jti until it expires.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RevokedTokenItem } from '../lib/token-table';
import { revokedTokenKey } from '../lib/token-table';
import { authenticateClient } from './clients';
import type { ServiceContext } from './context';
import { optional, parseForm, required } from './form';
import { jsonResponse, OAuthError } from './oauth-errors';
import { findFamily, looksLikeRefreshToken, revokeSession } from './refresh-tokens';
import { isCompactJws } from '../lib/compact-jws';

const notYours = (): OAuthError => new OAuthError('invalid_grant', 'the token was not issued to this client');

/**
 * The two token kinds have disjoint shapes, so the hint (RFC 7009 2.1) is only checked for syntax: an unknown
 * or expired token, or one we did not sign, is answered 200 like a revoked one.
 */
export async function revokeToken(
  context: ServiceContext,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const params = parseForm(event, context.bodyLimit);
  const token = required(params, 'token', 4096);
  optional(params, 'token_type_hint', 64);
  const client = await authenticateClient(context.db, event, params);
  const now = context.now();
  if (looksLikeRefreshToken(token)) {
    const family = await findFamily(context.db, token, now);
    if (family) {
      if (family.session.clientId !== client.clientId) throw notYours();
      await revokeSession(context.db, family.session.sid);
      context.logger.info('refresh family revoked', { sid: family.session.sid, clientId: client.clientId });
    }
  } else if (isCompactJws(token)) {
    // Only a token whose signature we verified may put its jti and exp into the table.
    const payload = await context.verifyAccessToken(token, now);
    if (payload) {
      if (payload.client_id !== client.clientId) throw notYours();
      const item: RevokedTokenItem = {
        ...revokedTokenKey(payload.jti!),
        jti: payload.jti!,
        expiresAt: payload.exp!,
      };
      await context.db.documents.send(new PutCommand({ TableName: context.db.tableName, Item: item }));
      context.logger.info('access token revoked', { jti: payload.jti, clientId: client.clientId });
    }
  }
  return jsonResponse(200, {});
}
