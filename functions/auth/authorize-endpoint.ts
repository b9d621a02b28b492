// GET and POST /auth/authorize (RFC 6749 4.1, RFC 7636, OpenID Connect Core 3.1.2): the sign-in page and its answer.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { issueCode } from './authorization-codes';
import type { AuthorizationRequest } from './authorization-request';
import {
  PageError,
  queryParams,
  readAuthorizationRequest,
  RedirectError,
  refusal,
} from './authorization-request';
import type { ServiceContext } from './context';
import type { Params } from './form';
import { header, parseForm } from './form';
import { OAuthError } from './oauth-errors';
import { grantScope, OPENID_SCOPE, splitOpenid } from './scopes';
import { csrfCookie, csrfProblem, errorPage, issueCsrf, signInPage } from './sign-in-page';
import { verifyPasswordLogin } from './password-login';
import { BusyError } from './work-limit';

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
    return showForm(context, await readAuthorizationRequest(context, queryParams(event)), {});
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
  let browser: string | undefined;
  try {
    params = parseForm(event, context.bodyLimit);
    request = await readAuthorizationRequest(context, params);
    browser = csrfCookie(header(event, 'cookie'));
  } catch (error) {
    return failure(context, error, 303);
  }
  const now = context.now();
  const problem = csrfProblem(context.csrfKey, params.get('csrf_token'), browser, request.fields, now);
  if (problem !== undefined) {
    return errorPage(403, `${problem}: go back to the application and sign in again`);
  }
  if (params.get('action') === 'cancel') {
    return failure(context, refusal(request, 'access_denied', 'the user cancelled the sign-in'), 303);
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
    user = await verifyPasswordLogin(context, {
      username,
      password,
      sourceIp: event.requestContext?.identity?.sourceIp,
    });
  } catch (error) {
    if (error instanceof OAuthError && error.code === 'invalid_grant' && error.status === 400)
      return refused();
    // A throttled account or a full hashing queue is said on the page, never redirected.
    const busy = error instanceof BusyError;
    if (!(error instanceof OAuthError) && !busy) throw error;
    const why = busy ? 'the service is busy; try again shortly' : error.description;
    return showForm(context, request, {
      status: busy ? 503 : error.status,
      error: `Sign-in is not possible right now (${why}).`,
      username,
    });
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
    return failure(context, refusal(request, 'invalid_scope', error.description), 303);
  }
}
