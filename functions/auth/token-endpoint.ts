// POST /auth/token (RFC 6749): the password, refresh_token and client_credentials grants.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ClientItem } from '../lib/token-table';
import { signAccessToken } from './access-tokens';
import type { GrantType } from './clients';
import { assertGrantAllowed, authenticateClient, GRANT_TYPES } from './clients';
import type { ServiceContext } from './context';
import type { Params } from './form';
import { optional, parseForm, required } from './form';
import { jsonResponse, OAuthError } from './oauth-errors';
import { findFamily, isRotatedToken, revokeSession, rotate, startSession } from './refresh-tokens';
import { grantScope, stillHeld } from './scopes';
import { verifyPasswordLogin } from './password-login';
import { getUser } from './users';

const badRefreshToken = (): OAuthError =>
  new OAuthError('invalid_grant', 'the refresh token is invalid, expired or revoked');

interface Issued {
  sub: string;
  scope: string[];
  clientId: string;
  sid?: string;
  refreshToken?: string;
}

async function tokenResponse(context: ServiceContext, issued: Issued): Promise<APIGatewayProxyResult> {
  const scope = issued.scope.join(' ');
  const access = await signAccessToken(
    context.keys,
    context.settings,
    { sub: issued.sub, scope, clientId: issued.clientId, sid: issued.sid },
    context.now(),
  );
  return jsonResponse(200, {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: context.settings.ttl,
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
    scope,
  });
}

async function passwordGrant(
  context: ServiceContext,
  client: ClientItem,
  params: Params,
  event: APIGatewayProxyEvent,
): Promise<Issued> {
  const password = required(params, 'password', 256);
  const username = required(params, 'username', 256);
  const requested = optional(params, 'scope');
  const user = await verifyPasswordLogin(context, {
    username,
    password,
    sourceIp: event.requestContext?.identity?.sourceIp,
  });
  const scope = grantScope(context.catalog, user.roles, requested);
  const { session, refreshToken } = await startSession(context.db, {
    sub: user.sub,
    clientId: client.clientId,
    scope: scope.join(' '),
    now: context.now(),
    absoluteTtl: context.refreshAbsoluteTtl,
  });
  context.logger.info('login', { sub: user.sub, clientId: client.clientId, sid: session.sid });
  return { sub: user.sub, scope, clientId: client.clientId, sid: session.sid, refreshToken };
}

async function refreshGrant(context: ServiceContext, client: ClientItem, params: Params): Promise<Issued> {
  const { db, logger } = context;
  const presented = required(params, 'refresh_token', 4096);
  const requested = optional(params, 'scope');
  const now = context.now();
  const family = await findFamily(db, presented, now);
  // Bound to the client it was issued to (RFC 6749 section 6).
  if (!family || family.session.clientId !== client.clientId || family.session.revoked === true) {
    throw badRefreshToken();
  }
  const { session } = family;
  if (isRotatedToken(family)) {
    await revokeSession(db, session.sid);
    logger.warn('refresh token reuse detected; family revoked', { sid: session.sid, sub: session.sub });
    throw badRefreshToken();
  }
  if (now - session.lastUsedAt >= context.refreshIdleTtl) throw badRefreshToken();
  const user = await getUser(db, session.sub);
  if (!user || user.disabled === true) throw badRefreshToken();
  const scope = grantScope(
    context.catalog,
    stillHeld(context.catalog, session.scope.split(' '), user.roles),
    requested,
  );
  const refreshToken = await rotate(db, family, now);
  if (refreshToken === undefined) {
    logger.info('refresh lost a concurrent rotation', { sid: session.sid });
    throw badRefreshToken();
  }
  return { sub: session.sub, scope, clientId: client.clientId, sid: session.sid, refreshToken };
}

function clientCredentialsGrant(context: ServiceContext, client: ClientItem, params: Params): Issued {
  const scope = grantScope(context.catalog, client.roles, optional(params, 'scope'));
  context.logger.info('client credentials', { clientId: client.clientId });
  // RFC 9068: the client is the subject; no refresh token (RFC 6749 4.4.3).
  return { sub: client.clientId, scope, clientId: client.clientId };
}

const isGrantType = (value: string): value is GrantType => (GRANT_TYPES as readonly string[]).includes(value);

export async function issueToken(
  context: ServiceContext,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  const params = parseForm(event, context.bodyLimit);
  const grantType = required(params, 'grant_type', 64);
  if (!isGrantType(grantType)) throw new OAuthError('unsupported_grant_type', 'grant_type is not supported');
  const client = await authenticateClient(context.db, event, params);
  assertGrantAllowed(client, grantType);
  switch (grantType) {
    case 'password':
      return tokenResponse(context, await passwordGrant(context, client, params, event));
    case 'refresh_token':
      return tokenResponse(context, await refreshGrant(context, client, params));
    case 'client_credentials':
      return tokenResponse(context, clientCredentialsGrant(context, client, params));
  }
}
