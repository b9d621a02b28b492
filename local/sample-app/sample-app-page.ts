// The sample app's script (runs in the browser; the server strips the types with esbuild and serves it).
// The authorization code flow with PKCE by hand, to show every step; a real app would use a library.
/// <reference lib="dom" />

interface Config {
  issuer: string;
  api: string;
  clientId: string;
}
interface Metadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
  userinfo_endpoint: string;
}
interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}
interface Message {
  messageId: string;
  text: string;
}

const SCOPE = 'openid User';
const redirectUri = `${location.origin}/callback`;
const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const randomString = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));
async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}
function jwtClaims(jwt: string): Record<string, unknown> {
  const part = (jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part)) as Record<string, unknown>;
}

// The access token lives in memory only; the refresh token in sessionStorage, so a reload keeps the session
// while closing the tab ends it.
let tokens: Tokens | undefined;
let generation = 0;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function tokenRequest(meta: Metadata, body: Record<string, string>): Promise<Tokens> {
  const response = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  const answer = (await response.json()) as Tokens & { error?: string; error_description?: string };
  if (!response.ok) throw new Error(`${answer.error}: ${answer.error_description}`);
  return answer;
}

function keep(next: Tokens): void {
  tokens = next;
  generation += 1;
  if (next.refresh_token !== undefined) sessionStorage.setItem('refresh_token', next.refresh_token);
}

async function signIn(config: Config, meta: Metadata): Promise<void> {
  const pending = { verifier: randomString(), state: randomString(), nonce: randomString() };
  sessionStorage.setItem('pending_sign_in', JSON.stringify(pending));
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: SCOPE,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await s256(pending.verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** Back from the sign-in page: check state and issuer, redeem the code with the verifier, check the nonce. */
async function completeSignIn(config: Config, meta: Metadata, params: URLSearchParams): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem('pending_sign_in') ?? 'null') as {
    verifier: string;
    state: string;
    nonce: string;
  } | null;
  sessionStorage.removeItem('pending_sign_in');
  history.replaceState(null, '', '/');
  if (params.has('error')) throw new Error(`${params.get('error')}: ${params.get('error_description')}`);
  if (pending === null || params.get('state') !== pending.state)
    throw new Error('this sign-in was not started here');
  if (params.get('iss') !== meta.issuer) throw new Error('the answer comes from another issuer');
  const answer = await tokenRequest(meta, {
    grant_type: 'authorization_code',
    client_id: config.clientId,
    code: params.get('code') ?? '',
    redirect_uri: redirectUri,
    code_verifier: pending.verifier,
  });
  const claims = jwtClaims(answer.id_token ?? '');
  if (claims.nonce !== pending.nonce || claims.aud !== config.clientId) {
    throw new Error('the ID token is not for this sign-in');
  }
  keep(answer);
}

async function refresh(config: Config, meta: Metadata): Promise<void> {
  const refreshToken = sessionStorage.getItem('refresh_token');
  if (refreshToken === null) throw new Error('no session to refresh');
  keep(
    await tokenRequest(meta, {
      grant_type: 'refresh_token',
      client_id: config.clientId,
      refresh_token: refreshToken,
    }),
  );
}

async function signOut(config: Config, meta: Metadata): Promise<void> {
  const refreshToken = sessionStorage.getItem('refresh_token');
  sessionStorage.removeItem('refresh_token');
  tokens = undefined;
  if (refreshToken === null) return;
  // RFC 7009: revoking the refresh token ends its whole session, access tokens included.
  const response = await fetch(meta.revocation_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, client_id: config.clientId }),
  });
  if (!response.ok) throw new Error(`sign-out failed: ${response.status}`);
}

/** A call to the API across origins, with the access token in the Authorization header (so a preflight). */
async function api<T>(config: Config, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${config.api}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${tokens?.access_token}` },
  });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status}`);
  return (await response.json()) as T;
}

async function render(config: Config, meta: Metadata): Promise<void> {
  element('signed-out').hidden = tokens !== undefined;
  element('signed-in').hidden = tokens === undefined;
  if (tokens === undefined) return;
  const me = await fetch(meta.userinfo_endpoint, {
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  });
  element('who').textContent = me.ok
    ? String(((await me.json()) as { preferred_username?: string }).preferred_username)
    : '?';
  const info = element('token-info');
  info.textContent = `access token ${generation}, expires ${new Date(Number(jwtClaims(tokens.access_token).exp) * 1000).toLocaleTimeString()}`;
  info.dataset.generation = String(generation);
  const page = await api<{ messages: Message[] }>(config, '/messages');
  element('messages').replaceChildren(
    ...page.messages.map((message) => {
      const item = document.createElement('li');
      item.textContent = message.text;
      return item;
    }),
  );
}

function showError(error: unknown): void {
  const box = element('error');
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

async function main(): Promise<void> {
  const config = await getJson<Config>('/config.json');
  const meta = await getJson<Metadata>(`${config.issuer}/.well-known/openid-configuration`);
  if (meta.issuer !== config.issuer) throw new Error('the discovery document names another issuer');
  const run = (action: () => Promise<void>) => () => {
    element('error').hidden = true;
    action()
      .then(() => render(config, meta))
      .catch(showError);
  };
  element('sign-in').addEventListener('click', () => void signIn(config, meta).catch(showError));
  element('refresh').addEventListener(
    'click',
    run(() => refresh(config, meta)),
  );
  element('sign-out').addEventListener(
    'click',
    run(() => signOut(config, meta)),
  );
  element<HTMLFormElement>('post').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = element<HTMLInputElement>('text');
    run(async () => {
      await api(config, '/messages', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: input.value }),
      });
      input.value = '';
    })();
  });
  const params = new URLSearchParams(location.search);
  try {
    if (location.pathname === '/callback') await completeSignIn(config, meta, params);
    else if (sessionStorage.getItem('refresh_token') !== null) await refresh(config, meta);
  } catch (error) {
    // A failed sign-in or an ended session: say why, and offer to sign in again.
    sessionStorage.removeItem('refresh_token');
    tokens = undefined;
    showError(error);
  }
  await render(config, meta);
}

main().catch(showError);
