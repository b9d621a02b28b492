// Whether each function serves the routes scopes.yaml sends it: a declared route its function does not serve
// passes the authorizer and then gets the function's 404; a route a function serves that scopes.yaml does not
// declare is never reachable.
import type { Diagnostic } from './errors';
import type { CompiledModel } from './model';

/** The routes each function serves, as `METHOD /path` with API Gateway's templates (`/users/{userId}`). */
export type ServedRoutes = Readonly<Record<string, readonly string[] | undefined>>;

export interface RouteCoverage {
  /** Declared routes their function does not serve. */
  errors: Diagnostic[];
  /** Routes a function serves that are not declared for it, and functions that declare nothing. */
  warnings: Diagnostic[];
}

/**
 * Compares the model's routes with what each function named in it serves. `source` (the scopes file's text)
 * gives each diagnostic its column; without it the column is 1.
 *
 * @example
 * routeCoverage(model, { messages: ['GET /messages'] }).errors
 * // [{ file: 'scopes.yaml', line: 9, column: 3,
 * //    message: 'route "DELETE /messages/{messageId}" goes to function "messages", which does not serve it. ...' }]
 */
export function routeCoverage(model: CompiledModel, served: ServedRoutes, source?: string): RouteCoverage {
  const lines = source?.split('\n') ?? [];
  // The function name is the value at the end of a route's line; the route key is at its start.
  const at = (line: number, text: string): Pick<Diagnostic, 'file' | 'line' | 'column'> => ({
    file: model.file,
    line,
    column: (lines[line - 1]?.lastIndexOf(text) ?? -1) + 1 || 1,
  });
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const functions = [...new Set(model.routes.map((route) => route.function))];
  for (const fn of functions) {
    const routes = model.routes.filter((route) => route.function === fn);
    const first = routes[0]!;
    const list = served[fn];
    if (list === undefined) {
      warnings.push({
        ...at(first.line, fn),
        message: `function "${fn}" declares no routes it serves (an exported \`routes\` list), so its routes are not checked`,
      });
      continue;
    }
    const declared = new Set(routes.map((route) => `${route.method} ${route.path}`));
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (list.includes(key)) continue;
      errors.push({
        ...at(route.line, key),
        message:
          `route "${key}" goes to function "${fn}", which does not serve it (it would answer 404). ` +
          `Expected one of: ${list.join(', ')}`,
      });
    }
    for (const key of list) {
      if (declared.has(key)) continue;
      const elsewhere = model.routes.find((route) => `${route.method} ${route.path}` === key);
      warnings.push({
        ...at(first.line, fn),
        message:
          elsewhere === undefined
            ? `function "${fn}" serves "${key}", which is not declared: it is unreachable`
            : `function "${fn}" serves "${key}", which is declared for function "${elsewhere.function}"`,
      });
    }
  }
  return { errors, warnings };
}
