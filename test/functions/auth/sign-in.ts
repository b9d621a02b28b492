// Drives the authorization endpoint as a browser would: the page, its hidden fields and cookie, the form post.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createHash, randomBytes } from 'node:crypto';
import type { Harness } from './harness';
import { event, form } from './harness';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A GET /auth/authorize event with these query parameters (`[name, value]` pairs may repeat a name). */
export function authorizeEvent(params: Record<string, string> | [string, string][]) {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const base = event('/auth/authorize', null, { method: 'GET', contentType: null });
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) (multi[name] ??= []).push(value);
  return {
    ...base,
    queryStringParameters: Object.fromEntries(pairs),
    multiValueQueryStringParameters: multi,
  };
}

const unescape = (text: string): string =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** The hidden fields of a rendered form, in order. */
export function hiddenFields(html: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    fields.set(unescape(match[1]!), unescape(match[2]!));
  }
  return fields;
}

/** The `name=value` part of the page's Set-Cookie header. */
export function cookieOf(response: APIGatewayProxyResult): string {
  return String(response.headers?.['Set-Cookie'] ?? '').split(';')[0]!;
}

export interface Submission {
  fields?: Map<string, string>;
  cookie?: string | undefined;
  username?: string;
  password?: string;
}

/** Posts the form of a rendered page (its hidden fields and cookie, unless replaced) with the given credentials. */
export function submit(h: Harness, page: APIGatewayProxyResult, submission: Submission = {}) {
  const fields = new Map(submission.fields ?? hiddenFields(page.body));
  if (submission.username !== undefined) fields.set('username', submission.username);
  if (submission.password !== undefined) fields.set('password', submission.password);
  const cookie = 'cookie' in submission ? submission.cookie : cookieOf(page);
  return h.handle(
    event('/auth/authorize', form(Object.fromEntries(fields)), {
      ...(cookie === undefined ? {} : { headers: { cookie } }),
    }),
  );
}

/** The query parameters of a redirect's Location. */
export function redirectParams(response: APIGatewayProxyResult): Record<string, string> {
  const location = String(response.headers?.Location ?? '');
  return Object.fromEntries(new URL(location).searchParams);
}
