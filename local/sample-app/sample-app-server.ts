// Serves the sample single-page app on its own loopback origin (local only; never deployed).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

export interface SampleAppOptions {
  /** The token service's issuer (its discovery document is at `{issuer}/.well-known/openid-configuration`). */
  issuer: string;
  /** Where the API answers. */
  api: string;
  clientId: string;
  /** 0 picks a free port. */
  port: number;
}

export interface SampleApp {
  url: string;
  close(): Promise<void>;
}

/** The page's files, read once; the script's types are stripped once with esbuild. */
function loadAssets(config: string): Map<string, { type: string; body: Buffer }> {
  const read = (name: string) => readFileSync(join(__dirname, name), 'utf8');
  const script = transformSync(read('sample-app-page.ts'), {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
  }).code;
  const html = { type: 'text/html; charset=utf-8', body: Buffer.from(read('index.html')) };
  return new Map([
    ['/', html],
    ['/callback', html],
    ['/sample-app.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(script) }],
    ['/sample-app.css', { type: 'text/css; charset=utf-8', body: Buffer.from(read('sample-app.css')) }],
    ['/config.json', { type: 'application/json', body: Buffer.from(config) }],
  ]);
}

/**
 * Starts the sample app. Its page may talk only to itself and to the API (CSP `connect-src`).
 *
 * @example const app = await startSampleApp({ issuer: stack.url, api: stack.url, clientId: 'local', port: 3001 });
 */
export function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const assets = loadAssets(
    JSON.stringify({ issuer: options.issuer, api: options.api, clientId: options.clientId }),
  );
  const apiOrigins = [...new Set([new URL(options.issuer).origin, new URL(options.api).origin])].join(' ');
  const headers = {
    'Content-Security-Policy':
      `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${apiOrigins}; ` +
      "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const asset = req.method === 'GET' ? assets.get(path) : undefined;
    if (asset === undefined) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': asset.type }).end(asset.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
