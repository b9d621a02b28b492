// The explorer's HTTP handlers under /_explorer/ on the local gateway (local only; never deployed).
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import type { GatewayRuntime } from '../gateway';
import { LOCAL_API, type ApiIdentity } from '../method-arn';
import { createScopesReader, diffAgainstHead } from './explorer-model';
import { tryCaller } from './try-caller';

export const EXPLORER_PATH = '/_explorer/';

/** A token is a few KB at most; anything larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ExplorerOptions {
  scopesFile: string;
  /** Function names with a local handler (compiled exactly as the stack compiles). */
  functions: readonly string[];
  /** The model and authorizer being served right now. */
  runtime: () => GatewayRuntime;
  api?: ApiIdentity;
  /** The user name of a built-in user, for naming a pasted token's caller. */
  userName?: (sub: string) => Promise<string | undefined>;
}

export interface Explorer {
  /** Answers requests under /_explorer and returns true; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

interface Asset {
  type: string;
  body: Buffer;
}

/** The page's files, read once and kept in memory; the script's types are stripped once with esbuild. */
function loadAssets(): Map<string, Asset> {
  const read = (name: string) => readFileSync(join(__dirname, name), 'utf8');
  const script = transformSync(read('explorer-page.ts'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
  }).code;
  return new Map([
    ['', { type: 'text/html; charset=utf-8', body: Buffer.from(read('index.html')) }],
    ['explorer.css', { type: 'text/css; charset=utf-8', body: Buffer.from(read('explorer.css')) }],
    ['explorer.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(script) }],
    // Declared by the page, so the browser never asks the API for /favicon.ico (a 403 there).
    ['favicon.svg', { type: 'image/svg+xml', body: Buffer.from(read('favicon.svg')) }],
  ]);
}

/** Everything from this origin only: no inline script, no external fonts or CDNs, no framing. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': type, ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown, headers = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new RangeError('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Creates the explorer: the page, `api/model` (matrix or diagnostics, ETag for polling), `api/caller` (a token's
 * routes, decided by the served authorizer) and `api/diff` (the working file against HEAD).
 */
export function createExplorer(options: ExplorerOptions): Explorer {
  const assets = loadAssets();
  const current = createScopesReader(options.scopesFile, options.functions);
  const api = options.api ?? LOCAL_API;

  async function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const asset = assets.get(path);
    if (asset !== undefined && (method === 'GET' || method === 'HEAD')) {
      return send(res, 200, asset.type, method === 'HEAD' ? '' : asset.body);
    }
    if (path === 'api/model' && method === 'GET') {
      const view = await current();
      if (req.headers['if-none-match'] === view.etag) {
        res.writeHead(304, { ETag: view.etag, 'Cache-Control': 'no-cache' });
        res.end();
        return;
      }
      return json(res, 200, view.model, { ETag: view.etag, 'Cache-Control': 'no-cache' });
    }
    if (path === 'api/diff' && method === 'GET') {
      return json(res, 200, await diffAgainstHead(options.scopesFile, options.functions));
    }
    if (path === 'api/caller' && method === 'POST') {
      // Only JSON: a cross-site form cannot post it without a CORS preflight this server never grants.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return json(res, 415, { ok: false, message: 'Send {"token": "..."} as application/json.' });
      }
      let body: unknown;
      try {
        body = await readJson(req);
      } catch {
        return json(res, 400, { ok: false, message: 'Send {"token": "..."} as JSON (at most 64 KB).' });
      }
      const token = (body as { token?: unknown } | null)?.token;
      if (typeof token !== 'string' || token === '') {
        return json(res, 400, { ok: false, message: 'Send {"token": "..."} with a non-empty token.' });
      }
      const { model, authorizer } = options.runtime();
      const outcome = await tryCaller(model, authorizer, api, token);
      if (outcome.ok && outcome.report.name === undefined && options.userName !== undefined) {
        const name = await options.userName(outcome.report.principalId);
        if (name !== undefined) outcome.report.name = name;
      }
      return json(res, outcome.ok ? 200 : outcome.status, outcome);
    }
    return json(res, 404, {
      ok: false,
      message: `no explorer resource ${method} ${EXPLORER_PATH}${path}`,
    });
  }

  return {
    handle(req, res) {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === EXPLORER_PATH.slice(0, -1)) {
        res.writeHead(308, { Location: EXPLORER_PATH });
        res.end();
        return true;
      }
      if (!path.startsWith(EXPLORER_PATH)) return false;
      serve(req, res, path.slice(EXPLORER_PATH.length)).catch((error: unknown) => {
        if (!res.headersSent)
          json(res, 500, { ok: false, message: error instanceof Error ? error.message : String(error) });
        else res.end();
      });
      return true;
    },
  };
}
