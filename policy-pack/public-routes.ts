// The public routes of a scopes file, compiled the way the program compiles it (the pack may read files).
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { compileScopes } from '../policies';

/** scopes.yaml at the repository root, the program's default `scopesFile`. */
export const DEFAULT_SCOPES_FILE = resolve(__dirname, '..', 'scopes.yaml');

const cache = new Map<string, ReadonlySet<string>>();

/** `METHOD /path` of every public route of `file` (relative paths from the repository root); compiled once. */
export function publicRoutesOf(file = DEFAULT_SCOPES_FILE): ReadonlySet<string> {
  const path = resolve(__dirname, '..', file);
  let routes = cache.get(path);
  if (routes === undefined) {
    const model = compileScopes(readFileSync(path, 'utf8'), basename(path));
    routes = new Set(model.routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`));
    cache.set(path, routes);
  }
  return routes;
}
