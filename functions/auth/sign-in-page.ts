// The sign-in page: the one HTML template of the token service, its escaping, its headers (CSP) and its CSRF token.
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { JWK } from 'jose';
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The only way text reaches the page: every interpolated value goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:22rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #889;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;font:inherit;border:0;border-radius:4px;background:#1f5fbf;color:#fff}
button.cancel{margin-top:.5rem;background:none;color:#1f5fbf;border:1px solid #1f5fbf}
p.error{color:#a40e0e;background:#fdecec;padding:.5rem;border-radius:4px}p.client{color:#556}`;
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/**
 * Nothing loads but the inline style (by hash); no script at all. The form may post only here, and its answer
 * (a redirect) may go only to the client's redirect URI; no site may frame the page (clickjacking).
 */
function securityHeaders(formTarget: string | undefined): Record<string, string> {
  const formAction = formTarget === undefined ? "'self'" : `'self' ${formTarget}`;
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

export interface SignInForm {
  clientId: string;
  /** The authorization request, carried through the form unchanged. */
  fields: ReadonlyMap<string, string>;
  csrfToken: string;
  /** Set cookie binding the CSRF token to this browser. */
  cookie: string;
  /** Where the answer may be redirected (a CSP source: an origin or a scheme). */
  redirectTarget: string;
  username?: string;
  error?: string;
  status?: number;
}

export function signInPage(form: SignInForm): APIGatewayProxyResult {
  const hidden = [...form.fields, ['csrf_token', form.csrfToken]]
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name!)}" value="${escapeHtml(value!)}">`)
    .join('\n');
  const error = form.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(form.error)}</p>`;
  const body = `<h1>Sign in</h1>
<p class="client">to continue to <strong>${escapeHtml(form.clientId)}</strong></p>${error}
<form method="post" action="authorize">
${hidden}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(form.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
<button type="submit" name="action" value="cancel" class="cancel" formnovalidate>Cancel</button>
</form>`;
  return {
    statusCode: form.status ?? 200,
    headers: { ...securityHeaders(form.redirectTarget), 'Set-Cookie': form.cookie },
    body: page('Sign in', body),
  };
}

/** A request that must not be answered with a redirect (unknown client or redirect URI, a forged form). */
export function errorPage(status: number, message: string): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: securityHeaders(undefined),
    body: page(
      'Sign-in error',
      `<h1>Sign-in error</h1><p class="error" role="alert">${escapeHtml(message)}</p>`,
    ),
  };
}

// CSRF: a double-submit token bound to the browser (a cookie) and to the authorization request it was issued
// for, signed with a key derived from the signing keys so that every instance of the function accepts it.

/** How long a rendered form stays usable. */
export const CSRF_TTL_SECONDS = 600;
export const CSRF_COOKIE = 'scopegate_signin';

export function deriveCsrfKey(signingKeys: readonly JWK[]): Buffer {
  const material = signingKeys.map((key) => key.d ?? '').join('.');
  return Buffer.from(hkdfSync('sha256', material, 'scopegate', 'sign-in form csrf', 32));
}

/** The request's parameters in one canonical string: a token for one request is refused for another. */
function digest(fields: ReadonlyMap<string, string>): string {
  return JSON.stringify([...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function mac(key: Buffer, expires: number, browser: string, fields: ReadonlyMap<string, string>): string {
  return createHmac('sha256', key)
    .update(`${expires}\n${browser}\n${digest(fields)}`)
    .digest('base64url');
}

export interface CsrfPair {
  token: string;
  cookie: string;
}

export function issueCsrf(
  key: Buffer,
  fields: ReadonlyMap<string, string>,
  now: number,
  secure: boolean,
): CsrfPair {
  const browser = randomBytes(32).toString('base64url');
  const expires = now + CSRF_TTL_SECONDS;
  const attributes = `HttpOnly; SameSite=Strict; Max-Age=${CSRF_TTL_SECONDS}${secure ? '; Secure' : ''}`;
  return {
    token: `${expires}.${mac(key, expires, browser, fields)}`,
    cookie: `${CSRF_COOKIE}=${browser}; ${attributes}`,
  };
}

/** The cookie's value from a Cookie header. */
export function csrfCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === CSRF_COOKIE && value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

/** Why the posted form is refused, or undefined when its token was issued to this browser for this request. */
export function csrfProblem(
  key: Buffer,
  token: string | undefined,
  browser: string | undefined,
  fields: ReadonlyMap<string, string>,
  now: number,
): string | undefined {
  if (token === undefined || browser === undefined) return 'the sign-in form is missing its security token';
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return 'the sign-in form is missing its security token';
  const expires = Number(match[1]);
  const expected = Buffer.from(mac(key, expires, browser, fields));
  const presented = Buffer.from(match[2]!);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return 'the sign-in form was not issued to this browser for this request';
  }
  if (expires <= now) return 'the sign-in form has expired';
  return undefined;
}
