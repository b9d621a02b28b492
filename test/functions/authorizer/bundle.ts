// Bundles the authorizer's Lambda entry as a deployment would (esbuild, AWS SDK external, model inlined).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { CompiledModel } from '../../../policies/model';
import { bundledModel } from '../../../policies/runtime-model';

export const AUTHORIZER_ENTRY = join(__dirname, '../../../functions/authorizer/index.ts');
/** Where the bundle's external `@aws-sdk/*` imports are found (a Lambda runtime ships them). */
export const NODE_MODULES = join(__dirname, '../../../node_modules');

export interface Bundle {
  dir: string;
  file: string;
  bytes: number;
  remove(): Promise<void>;
}

export async function bundleAuthorizer(model: CompiledModel, entry = AUTHORIZER_ENTRY): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), 'scopegate-authorizer-'));
  const file = join(dir, 'index.js');
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    external: ['@aws-sdk/*'],
    define: { __SCOPEGATE_MODEL__: bundledModel(model) },
    logLevel: 'silent',
  });
  return {
    dir,
    file,
    bytes: (await stat(file)).size,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
