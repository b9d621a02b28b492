// Bundles a function folder with esbuild into the single-file archive Lambda runs (no closure serialization).
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { buildSync } from 'esbuild';
import * as pulumi from '@pulumi/pulumi';

export interface BundleOptions {
  /** Extra source for the entry module, e.g. a dispatcher re-exporting the folder's handlers. */
  entrySource?: string;
  /** Compile-time constants (`define`), e.g. `{ __SCOPEGATE_MODEL__: JSON.stringify(model) }`. */
  define?: Record<string, string>;
}

const cache = new Map<string, string>();

/**
 * Bundles `functions/<name>/index.ts` for Node.js 22 (CommonJS, the AWS SDK left to the runtime) and returns
 * the code. Memoized per process: both authorizers and repeated program runs share one build.
 */
export function bundleCode(functionsDir: string, name: string, options: BundleOptions = {}): string {
  const entry = path.join(functionsDir, name, 'index.ts');
  const key = createHash('sha256')
    .update(JSON.stringify([entry, options.entrySource ?? '', options.define ?? {}]))
    .digest('hex');
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const result = buildSync({
    ...(options.entrySource === undefined
      ? { entryPoints: [entry] }
      : {
          stdin: {
            contents: options.entrySource,
            resolveDir: path.dirname(entry),
            sourcefile: `${name}-entry.ts`,
            loader: 'ts',
          },
        }),
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    define: options.define ?? {},
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  cache.set(key, code);
  return code;
}

/** The bundle as the asset archive Lambda's `code` takes (`index.js` at the root). */
export function bundleArchive(code: string): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ 'index.js': new pulumi.asset.StringAsset(code) });
}

/**
 * One Lambda serves both authorizers, so its entry dispatches on the event type API Gateway sends. Anything
 * else is refused with the exact `Unauthorized` (fail closed).
 */
export const AUTHORIZER_DISPATCH = `
import { requestHandler, tokenHandler } from './index';
export { requestHandler, tokenHandler };
export const handler = async (event: { type?: string }) => {
  if (event.type === 'TOKEN') return tokenHandler(event as never);
  if (event.type === 'REQUEST') return requestHandler(event as never);
  throw new Error('Unauthorized');
};
`;
