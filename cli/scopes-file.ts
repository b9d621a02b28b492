// The CLI's view of a scopes file: the repository's scopes.yaml by default, named as the user typed it.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CompiledModel } from '../policies';
import { checkRouteCoverage, listFunctionFolders, loadScopes as loadScopesFile } from '../infra/scopes';
import type { RouteCoverage } from '../policies/route-coverage';

/** The repository root: where package.json and the default scopes.yaml live. */
export const PROJECT_ROOT = resolve(__dirname, '..');

export interface LoadedScopes {
  file: string;
  model: CompiledModel;
}

/**
 * Reads and compiles a scopes file (default: scopes.yaml at the repository root); diagnostics name it
 * relative to the working directory. Throws ScopesError on a bad file.
 */
export function loadScopes(file = join(PROJECT_ROOT, 'scopes.yaml')): LoadedScopes {
  const functionsDir = join(PROJECT_ROOT, 'functions');
  // Without a functions/ folder (a scopes file checked on its own) function names are not checked.
  const functions = existsSync(functionsDir) ? listFunctionFolders(functionsDir) : undefined;
  return { file, model: loadScopesFile(file, functions, relative(process.cwd(), file) || file) };
}

/** Whether the functions serve the file's routes; nothing to compare without a functions/ folder. */
export function routeCoverageOf(loaded: LoadedScopes): RouteCoverage {
  const functionsDir = join(PROJECT_ROOT, 'functions');
  return existsSync(functionsDir)
    ? checkRouteCoverage(loaded.file, loaded.model, functionsDir)
    : { errors: [], warnings: [] };
}
