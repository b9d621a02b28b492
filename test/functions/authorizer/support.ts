// Test support for the authorizer: real keys, signed tokens, a counting HTTP server on loopback, a closed port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JSONWebKeySet, JWK, JWTPayload } from 'jose';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';

/** The injected clock of every test: 2026-01-15T00:00:00Z. */
export const NOW_MS = Date.UTC(2026, 0, 15);
export const NOW_S = NOW_MS / 1000;

export const ISSUER = 'https://auth.scopegate.test';
export const AUDIENCE = 'https://api.scopegate.test';

export interface SigningKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(alg: 'EdDSA' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export function jwksOf(...keys: SigningKey[]): JSONWebKeySet {
  return { keys: keys.map((key) => key.publicJwk) };
}

/** Claims of a built-in user access token, valid at NOW. */
export function userClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    scope: 'User',
    client_id: 'web',
    jti: 'jti-1',
    sid: 'sid-1',
    iat: NOW_S - 60,
    exp: NOW_S + 600,
    ...overrides,
  };
}

/** Signs `claims` as given (no defaults added), header `{ alg, kid, typ: 'at+jwt' }` plus `header`. */
export async function sign(
  key: SigningKey,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .sign(key.privateKey);
}

/** Builds a compact token from raw parts, for tokens no honest library would produce. */
export function rawToken(header: object, payload: object, signature = ''): string {
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

/** Signs raw header and payload with WebCrypto, bypassing jose's own header checks (e.g. for `crit`). */
export async function signRaw(key: SigningKey, header: object, payload: object): Promise<string> {
  const unsigned = rawToken({ alg: key.alg, kid: key.kid, ...header }, payload).slice(0, -1);
  const params = key.alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };
  const signature = await crypto.subtle.sign(params, key.privateKey, new TextEncoder().encode(unsigned));
  return `${unsigned}.${base64url.encode(new Uint8Array(signature))}`;
}

export interface TestServer {
  url: string;
  hits: string[];
  respond(status: number, body: unknown): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request path and answers a settable JSON body. */
export async function startServer(body: unknown = {}): Promise<TestServer> {
  let reply = { status: 200, body };
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    respond: (status, next) => {
      reply = { status, body: next };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Collects log lines written by the authorizer's JSON logger. */
export function logSink(): {
  lines: string[];
  sink: (line: string) => void;
  parsed: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  return {
    lines,
    sink: (line) => lines.push(line),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
