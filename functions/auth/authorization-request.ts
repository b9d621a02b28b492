// An authorization request (RFC 6749 4.1.1, RFC 7636 4.3, OpenID Connect Core 3.1.2.1), read and checked in
// the order RFC 6749 4.1.2.1 needs: the client and its redirect URI first, as only then may errors be redirected.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ClientItem } from '../lib/token-table';
import { S256_CHALLENGE } from './authorization-codes';
import { CLIENT_ID, getClient } from './clients';
import type { ServiceContext } from './context';
import type { Params } from './form';
import { matchesRedirectUri } from './redirect-uris';
import { OPENID_SCOPE } from './scopes';

/** The parameters of an authorization request, with their length limits; carried through the form unchanged. */
const REQUEST_FIELDS: Readonly<Record<string, number>> = {
  response_type: 32,
  client_id: 128,
  redirect_uri: 512,
  scope: 1024,
  state: 1024,
  nonce: 256,
  code_challenge: 128,
  code_challenge_method: 16,
  prompt: 64,
};

/** Shown on the page, never redirected: the client or its redirect URI cannot be trusted (RFC 6749 4.1.2.1). */
export class PageError extends Error {
  override name = 'PageError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sent back to the client's redirect URI with `error` and `state` (RFC 6749 4.1.2.1). */
export class RedirectError extends Error {
  override name = 'RedirectError';
  constructor(
    readonly code: string,
    readonly description: string,
    readonly request: Pick<AuthorizationRequest, 'redirectUri' | 'state'>,
  ) {
    super(`${code}: ${description}`);
  }
}

/** An error for the client of a request whose redirect URI is trusted: sent there with its state. */
export function refusal(
  request: Pick<AuthorizationRequest, 'redirectUri' | 'state'>,
  code: string,
  description: string,
): RedirectError {
  const { redirectUri, state } = request;
  return new RedirectError(code, description, { redirectUri, ...(state === undefined ? {} : { state }) });
}

export interface AuthorizationRequest {
  client: ClientItem;
  redirectUri: string;
  fields: ReadonlyMap<string, string>;
  codeChallenge: string;
  scope?: string;
  state?: string;
  nonce?: string;
}

/** The query of a GET: a repeated parameter is refused (RFC 6749 3.1), never guessed at. */
export function queryParams(event: APIGatewayProxyEvent): Params {
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if ((values?.length ?? 0) > 1) throw new PageError(400, `parameter "${name}" is repeated`);
  }
  return new Map(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? '']));
}

export async function readAuthorizationRequest(
  context: ServiceContext,
  params: Params,
): Promise<AuthorizationRequest> {
  const fields = new Map<string, string>();
  const tooLong: string[] = [];
  for (const [name, limit] of Object.entries(REQUEST_FIELDS)) {
    const value = params.get(name);
    if (value === undefined || value === '') continue;
    if (value.length > limit) tooLong.push(name);
    fields.set(name, value);
  }
  const clientId = fields.get('client_id');
  if (clientId === undefined) throw new PageError(400, 'client_id is required');
  const client = CLIENT_ID.test(clientId) ? await getClient(context.db, clientId) : undefined;
  if (client === undefined || client.disabled === true) throw new PageError(400, 'unknown client');
  const redirectUri = fields.get('redirect_uri');
  if (redirectUri === undefined) throw new PageError(400, 'redirect_uri is required');
  if (tooLong.includes('redirect_uri') || !matchesRedirectUri(client.redirectUris ?? [], redirectUri)) {
    throw new PageError(400, 'redirect_uri is not registered for this client');
  }
  const state = tooLong.includes('state') ? undefined : fields.get('state');
  const fail = (code: string, description: string): never => {
    throw refusal({ redirectUri, ...(state === undefined ? {} : { state }) }, code, description);
  };
  if (tooLong.length > 0) fail('invalid_request', `"${tooLong[0]}" is too long`);
  const responseType = fields.get('response_type');
  if (responseType === undefined) fail('invalid_request', 'response_type is required');
  if (responseType !== 'code') fail('unsupported_response_type', 'response_type must be code');
  if (!client.grantTypes.includes('authorization_code')) {
    fail('unauthorized_client', 'the client may not use the authorization_code grant');
  }
  const codeChallenge = fields.get('code_challenge');
  if (codeChallenge === undefined) fail('invalid_request', 'code_challenge is required (PKCE with S256)');
  // RFC 7636 4.3: an absent method means plain, which is refused like any other method but S256.
  if (fields.get('code_challenge_method') !== 'S256')
    fail('invalid_request', 'code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(codeChallenge!))
    fail('invalid_request', 'code_challenge must be 43 base64url characters');
  const scope = fields.get('scope');
  if (scope !== undefined) {
    const known = [...context.catalog.names, ...(context.keys.idToken === undefined ? [] : [OPENID_SCOPE])];
    const unknown = scope.split(' ').filter((token) => !known.includes(token));
    if (unknown.length > 0) fail('invalid_scope', `unknown scope: ${unknown.join(' ')}`);
  }
  // Request objects (OIDC Core 6) are not supported, and the discovery document says so.
  if ((params.get('request') ?? '') !== '')
    fail('request_not_supported', 'request objects are not supported');
  if ((params.get('request_uri') ?? '') !== '')
    fail('request_uri_not_supported', 'request_uri is not supported');
  // Every request shows the sign-in page: there is no session to sign in silently with (OIDC Core 3.1.2.6).
  if (fields.get('prompt') === 'none') fail('login_required', 'the user must sign in');
  const nonce = fields.get('nonce');
  return {
    client,
    redirectUri,
    fields,
    codeChallenge: codeChallenge!,
    ...(scope === undefined ? {} : { scope }),
    ...(state === undefined ? {} : { state }),
    ...(nonce === undefined ? {} : { nonce }),
  };
}
