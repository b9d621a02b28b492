// Reads scopes.yaml and the function folders from disk (policies/ never touches the file system); used by the
// Pulumi program, the CLI and the local stack alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileScopes, type CompiledModel } from '../policies';

/** The authorizer's folder under functions/: bundled for both API Gateway authorizers, never a route's function. */
export const AUTHORIZER = 'authorizer';

/** Folders that hold shared code or the authorizer, never a route's function. */
const NOT_ROUTE_FUNCTIONS = new Set(['lib', AUTHORIZER]);

/** The function folders (`functions/<name>/index.ts`) a route may name. */
export function listFunctionFolders(functionsDir: string): string[] {
  return fs
    .readdirSync(functionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_ROUTE_FUNCTIONS.has(entry.name))
    .filter((entry) => fs.existsSync(path.join(functionsDir, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Compiles the scopes file; a `ScopesError` lists every problem as `name:line:column: message`, where `name`
 * is how the file is shown (default: its base name). Routes may name only `functions`, when given.
 */
export function loadScopes(
  file: string,
  functions?: readonly string[],
  name = path.basename(file),
): CompiledModel {
  return compileScopes(fs.readFileSync(file, 'utf8'), name, functions === undefined ? {} : { functions });
}
