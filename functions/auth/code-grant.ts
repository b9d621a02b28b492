// grant_type=authorization_code (RFC 6749 4.1.3, RFC 7636 4.5): a code, its redirect URI and the PKCE verifier.
import type { ClientItem } from '../lib/token-table';
import { findCode, redeemCode, verifierMatches } from './authorization-codes';
import type { ServiceContext } from './context';
import type { Params } from './form';
import { required } from './form';
import { OAuthError } from './oauth-errors';
import { revokeSession, startSession } from './refresh-tokens';
import { splitOpenid } from './scopes';
import type { Issued } from './token-endpoint';
import { getUser } from './users';

const badCode = (): OAuthError =>
  new OAuthError('invalid_grant', 'the authorization code is invalid, expired or already used');

export async function authorizationCodeGrant(
  context: ServiceContext,
  client: ClientItem,
  params: Params,
): Promise<Issued> {
  const { db, logger } = context;
  const code = required(params, 'code', 256);
  const redirectUri = required(params, 'redirect_uri', 512);
  const verifier = required(params, 'code_verifier', 128);
  const now = context.now();
  const item = await findCode(db, code);
  // Bound to the client, the redirect URI of the request (RFC 6749 4.1.3) and the PKCE challenge (RFC 7636).
  if (item === undefined || item.clientId !== client.clientId) throw badCode();
  if (item.redirectUri !== redirectUri) {
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  }
  if (!verifierMatches(verifier, item.codeChallenge)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
  }
  const redemption = await redeemCode(db, item, now, now + context.refreshAbsoluteTtl);
  if (!redemption.ok) {
    const sid = redemption.grant?.sid;
    if (redemption.reason === 'reused' && sid !== undefined) {
      // RFC 6749 4.1.2: a code used twice revokes what it produced (its session and every token of it).
      await revokeSession(db, sid);
      logger.warn('authorization code reuse detected; session revoked', { sid, clientId: client.clientId });
    }
    throw badCode();
  }
  const user = await getUser(db, item.sub);
  if (!user || user.disabled === true) throw badCode();
  const { openid } = splitOpenid(item.scope);
  const { session, refreshToken } = await startSession(db, {
    sid: redemption.sid,
    sub: item.sub,
    clientId: client.clientId,
    scope: item.scope,
    now,
    absoluteTtl: context.refreshAbsoluteTtl,
  });
  logger.info('code redeemed', { sub: item.sub, clientId: client.clientId, sid: session.sid });
  return {
    sub: item.sub,
    scope: item.scope.split(' '),
    clientId: client.clientId,
    sid: session.sid,
    ...(client.grantTypes.includes('refresh_token') ? { refreshToken } : {}),
    ...(openid
      ? { idToken: { authTime: item.authTime, ...(item.nonce === undefined ? {} : { nonce: item.nonce }) } }
      : {}),
  };
}
