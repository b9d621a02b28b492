// Loads a scopes file from disk with the list of functions that have handler source (for the compiler).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileScopes, type CompiledModel } from '../policies';

/** The repository root: where package.json and the default scopes.yaml live. */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** Folders under functions/ that are not routable functions: shared code and the authorizer. */
const NOT_ROUTABLE = new Set(['lib', 'authorizer']);

/** Names of the functions a route may name: folders under `functions/` with an `index.ts`. */
export function routableFunctions(functionsDir = join(PROJECT_ROOT, 'functions')): string[] {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter(
      (e) =>
        e.isDirectory() && !NOT_ROUTABLE.has(e.name) && existsSync(join(functionsDir, e.name, 'index.ts')),
    )
    .map((e) => e.name)
    .sort();
}

export interface LoadedScopes {
  file: string;
  source: string;
  model: CompiledModel;
}

/**
 * Reads and compiles a scopes file (default: scopes.yaml at the repository root). Diagnostics name the file
 * as given relative to the working directory. Throws ScopesError on a bad file.
 */
export function loadScopes(file = join(PROJECT_ROOT, 'scopes.yaml'), functionsDir?: string): LoadedScopes {
  const source = readFileSync(file, 'utf8');
  const shown = relative(process.cwd(), file) || file;
  const dir = functionsDir ?? join(PROJECT_ROOT, 'functions');
  // Without any handler folder (a scopes file checked on its own) function names are not checked.
  const model = compileScopes(source, shown, existsSync(dir) ? { functions: routableFunctions(dir) } : {});
  return { file, source, model };
}
