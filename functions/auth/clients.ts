// OAuth2 clients: secret generation and hashing, registration, and client authentication (RFC 6749 section 2.3).
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientItem } from '../lib/token-table';
import { clientKey } from '../lib/token-table';
import type { Db } from './db';
import { isConditionFailure, putIfAbsent } from './db';
import type { Params } from './form';
import { header, optional } from './form';
import { OAuthError, invalidClient } from './oauth-errors';

export const GRANT_TYPES = ['password', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * Secrets are 256 random bits made by us, never chosen by people: guessing one is hopeless, so a fast SHA-256
 * is enough and a slow hash would only hand an attacker a way to burn our CPU with bogus Basic headers.
 */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashClientSecret(secret: string): string {
  return `sha256$${createHash('sha256').update(secret, 'utf8').digest('base64url')}`;
}

export function verifyClientSecret(secret: string, stored: string): boolean {
  const presented = Buffer.from(hashClientSecret(secret));
  const expected = Buffer.from(stored);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

export async function getClient(db: Db, clientId: string): Promise<ClientItem | undefined> {
  const { Item } = await db.documents.send(
    new GetCommand({ TableName: db.tableName, Key: clientKey(clientId), ConsistentRead: true }),
  );
  return Item as ClientItem | undefined;
}

/** Registers a client; false when the id is taken (never overwritten). */
export function putClient(db: Db, item: ClientItem): Promise<boolean> {
  return putIfAbsent(db, item);
}

/**
 * Disables (or enables) a client; false when there is no such client. The authorizer refuses every live token of
 * a disabled client from its next call (within the API Gateway cache TTL), and the token endpoint at once.
 */
export async function setClientDisabled(db: Db, clientId: string, disabled: boolean): Promise<boolean> {
  try {
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: clientKey(clientId),
        UpdateExpression: 'SET #disabled = :disabled',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#disabled': 'disabled' },
        ExpressionAttributeValues: { ':disabled': disabled },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

interface Credentials {
  clientId: string | undefined;
  secret: string | undefined;
  basic: boolean;
}

function decodeBasicPart(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function readCredentials(event: APIGatewayProxyEvent, params: Params): Credentials {
  const bodyId = optional(params, 'client_id', 256);
  const bodySecret = optional(params, 'client_secret', 256);
  const authorization = header(event, 'authorization');
  if (authorization === undefined) return { clientId: bodyId, secret: bodySecret, basic: false };
  const match = /^Basic ([A-Za-z0-9+/]{1,700}={0,2})$/i.exec(authorization.trim());
  if (!match) throw invalidClient();
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // RFC 6749 2.3.1: both halves are form-urlencoded before being joined.
  const clientId = colon < 0 ? undefined : decodeBasicPart(decoded.slice(0, colon));
  const secret = colon < 0 ? undefined : decodeBasicPart(decoded.slice(colon + 1));
  if (!clientId || !secret) throw invalidClient();
  if (bodySecret !== undefined)
    throw new OAuthError('invalid_request', 'use one client authentication method only');
  if (bodyId !== undefined && bodyId !== clientId) {
    throw new OAuthError('invalid_request', 'client_id does not match the Authorization header');
  }
  return { clientId, secret, basic: true };
}

/**
 * Identifies the client: confidential clients must prove their secret (Basic or client_secret_post), public
 * clients send only client_id. Unknown, disabled and wrong-secret clients get one indistinguishable answer.
 */
export async function authenticateClient(
  db: Db,
  event: APIGatewayProxyEvent,
  params: Params,
): Promise<ClientItem> {
  const { clientId, secret } = readCredentials(event, params);
  if (clientId === undefined || !CLIENT_ID.test(clientId)) throw invalidClient();
  const client = await getClient(db, clientId);
  const stored = client?.secretHash;
  const secretOk = secret !== undefined && verifyClientSecret(secret, stored ?? hashClientSecret(''));
  if (!client || client.disabled === true) throw invalidClient();
  if (stored === undefined ? secret !== undefined : !secretOk) throw invalidClient();
  return client;
}

/** The client may use this grant (public clients never client_credentials). */
export function assertGrantAllowed(client: ClientItem, grant: GrantType): void {
  const allowed =
    client.grantTypes.includes(grant) && (grant !== 'client_credentials' || client.secretHash !== undefined);
  if (!allowed) throw new OAuthError('unauthorized_client', `the client may not use the ${grant} grant`);
}
