// GET and POST /auth/authorize (RFC 6749 4.1, RFC 7636, OpenID Connect Core 3.1.2): the sign-in page and its answer.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ClientItem } from '../lib/token-table';
import { issueCode, S256_CHALLENGE } from './authorization-codes';
import { CLIENT_ID, getClient } from './clients';
import type { ServiceContext } from './context';
import type { Params } from './form';
import { header, parseForm } from './form';
import { OAuthError } from './oauth-errors';
import { matchesRedirectUri } from './redirect-uris';
import { grantScope, OPENID_SCOPE, splitOpenid } from './scopes';
import { csrfCookie, csrfProblem, errorPage, issueCsrf, signInPage } from './sign-in-page';
import { checkCredentials } from './token-endpoint';

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
class PageError extends Error {
  override name = 'PageError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sent back to the client's redirect URI with `error` and `state` (RFC 6749 4.1.2.1). */
class RedirectError extends Error {
  override name = 'RedirectError';
  constructor(
    readonly code: string,
    readonly description: string,
    readonly request: Pick<AuthorizationRequest, 'redirectUri' | 'state'>,
  ) {
    super(`${code}: ${description}`);
  }
}

interface AuthorizationRequest {
  client: ClientItem;
  redirectUri: string;
  fields: ReadonlyMap<string, string>;
  codeChallenge: string;
  scope?: string;
  state?: string;
  nonce?: string;
}

/** The query of a GET: a repeated parameter is refused (RFC 6749 3.1), never guessed at. */
function queryParams(event: APIGatewayProxyEvent): Params {
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if ((values?.length ?? 0) > 1) throw new PageError(400, `parameter "${name}" is repeated`);
  }
  return new Map(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? '']));
}

async function readRequest(context: ServiceContext, params: Params): Promise<AuthorizationRequest> {
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
    throw new RedirectError(code, description, { redirectUri, ...(state === undefined ? {} : { state }) });
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

function redirect(
  uri: string,
  params: Record<string, string | undefined>,
  status: number,
): APIGatewayProxyResult {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return {
    statusCode: status,
    headers: { Location: url.href, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
    body: '',
  };
}

function failure(context: ServiceContext, error: unknown, status: number): APIGatewayProxyResult {
  if (error instanceof PageError) return errorPage(error.status, error.message);
  if (error instanceof OAuthError) return errorPage(400, error.description);
  if (error instanceof RedirectError) {
    context.logger.info('authorization refused', { error: error.code });
    const { redirectUri, state } = error.request;
    return redirect(
      redirectUri,
      { error: error.code, error_description: error.description, state, iss: context.settings.issuer },
      status,
    );
  }
  throw error;
}

/** A CSP source for where the form's answer redirects: the origin, or the scheme of an app's private-use URI. */
function redirectTarget(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol;
}

interface FormState {
  status?: number;
  error?: string;
  username?: string;
}

function showForm(
  context: ServiceContext,
  request: AuthorizationRequest,
  state: FormState,
): APIGatewayProxyResult {
  const secure = context.settings.issuer.startsWith('https:');
  const csrf = issueCsrf(context.csrfKey, request.fields, context.now(), secure);
  return signInPage({
    clientId: request.client.clientId,
    fields: request.fields,
    csrfToken: csrf.token,
    cookie: csrf.cookie,
    redirectTarget: redirectTarget(request.redirectUri),
    ...state,
  });
}

export async function authorizePage(
  context: ServiceContext,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  try {
    return showForm(context, await readRequest(context, queryParams(event)), {});
  } catch (error) {
    return failure(context, error, 302);
  }
}

export async function submitSignIn(
  context: ServiceContext,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  let params: Params;
  let request: AuthorizationRequest;
  try {
    params = parseForm(event, context.bodyLimit);
    request = await readRequest(context, params);
  } catch (error) {
    return failure(context, error, 303);
  }
  const now = context.now();
  const browser = csrfCookie(header(event, 'cookie'));
  const problem = csrfProblem(context.csrfKey, params.get('csrf_token'), browser, request.fields, now);
  if (problem !== undefined) {
    return errorPage(403, `${problem}: go back to the application and sign in again`);
  }
  const username = params.get('username') ?? '';
  const password = params.get('password') ?? '';
  if (username === '' || password === '') {
    return showForm(context, request, { status: 400, error: 'Enter your username and password.', username });
  }
  const refused = (): APIGatewayProxyResult =>
    showForm(context, request, { status: 400, error: 'Invalid username or password.', username });
  if (username.length > 256 || password.length > 256) return refused();
  let user;
  try {
    user = await checkCredentials(context, request.client, username, password);
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_grant') return refused();
    throw error;
  }
  try {
    const { openid, roles } = splitOpenid(request.scope);
    const granted = grantScope(context.catalog, user.roles, roles);
    const scope = openid ? [OPENID_SCOPE, ...granted] : granted;
    const code = await issueCode(
      context.db,
      {
        clientId: request.client.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        sub: user.sub,
        scope: scope.join(' '),
        ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
        authTime: now,
      },
      now,
    );
    context.logger.info('signed in', { sub: user.sub, clientId: request.client.clientId });
    return redirect(request.redirectUri, { code, state: request.state, iss: context.settings.issuer }, 303);
  } catch (error) {
    if (!(error instanceof OAuthError) || error.code !== 'invalid_scope') throw error;
    const { redirectUri, state } = request;
    return failure(
      context,
      new RedirectError('invalid_scope', error.description, {
        redirectUri,
        ...(state === undefined ? {} : { state }),
      }),
      303,
    );
  }
}
