// Reads scopes.yaml and the function folders from disk (policies/ never touches the file system); used by the
// Pulumi program, the CLI and the local stack alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileScopes, type CompiledModel } from '../policies';
import { routeCoverage, type RouteCoverage, type ServedRoutes } from '../policies/route-coverage';

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

/**
 * The routes each function declares it serves: the `routes` list that `functions/<name>/routes.ts` exports
 * (its handler's route table is typed by it). A function without that file declares nothing.
 */
export function servedRoutes(functionsDir: string, functions: readonly string[]): ServedRoutes {
  const served: Record<string, readonly string[]> = {};
  for (const fn of functions) {
    const file = path.join(functionsDir, fn, 'routes.ts');
    if (!fs.existsSync(file)) continue;
    // Loaded by path: the list of function folders is only known at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { routes } = require(file) as { routes?: unknown };
    if (!Array.isArray(routes) || !routes.every((route) => typeof route === 'string')) {
      throw new TypeError(`${file} must export routes: a list of "METHOD /path" strings`);
    }
    served[fn] = routes;
  }
  return served;
}

/** Compares the compiled file's routes with what the functions it names serve (see `routeCoverage`). */
export function checkRouteCoverage(file: string, model: CompiledModel, functionsDir: string): RouteCoverage {
  const functions = [...new Set(model.routes.map((route) => route.function))];
  return routeCoverage(model, servedRoutes(functionsDir, functions), fs.readFileSync(file, 'utf8'));
}
