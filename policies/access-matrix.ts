// Who may call what, and why: the compiled model as a routes-by-roles matrix for the terminal and the explorer.
import type {
  Access,
  Binding,
  CompiledModel,
  CompiledRole,
  CompiledRoute,
  GrantSource,
  Method,
} from './model';

/**
 * One cell: `public` (no authorizer), `allowed` (unconditionally), `own` (only where bound path parameters
 * equal the caller's claims) or `denied`.
 */
export type CellKind = 'public' | 'allowed' | 'own' | 'denied';

export interface MatrixCell {
  role: string;
  kind: CellKind;
  /** The bound alternatives of an `own` cell, e.g. `[{ userId: 'sub' }]`; empty otherwise. */
  bindings: Binding[];
  /** The grant patterns behind an `allowed` or `own` cell, with the role declaring each. */
  via: GrantSource[];
  /** The why, one sentence per line. */
  why: string[];
}

export interface MatrixRow {
  route: number;
  method: Method;
  path: string;
  function: string;
  access: Access;
  /** Why the route needs the per-route authorizer. */
  reason?: string;
  line: number;
  /** One line on how the route is authorized. */
  authorizer: string;
  /** The API Gateway authorizer deciding the route; absent for public routes. */
  authorizerName?: string;
  /** One per role, in the order of `AccessMatrix.roles`. */
  cells: MatrixCell[];
}

export interface MatrixRole {
  name: string;
  description?: string;
  inherits: string[];
}

export interface AccessMatrix {
  file: string;
  roles: MatrixRole[];
  rows: MatrixRow[];
  /** Bytes the largest token-cached authorizer result reaches, against the 8192-byte budget. */
  maxResultBytes: number;
}

/** `userId=sub`, several parameters joined by `,`. */
export function formatBinding(binding: Binding): string {
  return Object.entries(binding)
    .map(([param, claim]) => `${param}=${claim}`)
    .join(',');
}

/** The roles `from` inherits on the way to `to`, both included (`['Admin', 'User']`); undefined when none. */
function inheritancePath(
  roles: ReadonlyMap<string, CompiledRole>,
  from: string,
  to: string,
): string[] | undefined {
  const queue: string[][] = [[from]];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const path = queue.shift()!;
    const last = path[path.length - 1]!;
    if (last === to) return path;
    for (const parent of roles.get(last)?.inherits ?? []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push([...path, parent]);
      }
    }
  }
  return undefined;
}

function describeSource(roles: ReadonlyMap<string, CompiledRole>, role: string, source: GrantSource): string {
  const granted = `granted by "${source.pattern}" (line ${source.line})`;
  if (source.role === role) return `${granted}, declared by ${role}`;
  const path = inheritancePath(roles, role, source.role) ?? [role, source.role];
  return `${granted}, declared by ${source.role}, inherited through ${path.join(' → ')}`;
}

function authorizerLine(model: CompiledModel, route: CompiledRoute): string {
  if (route.access === 'public') return 'public: no authorizer runs; anyone may call it';
  if (route.access === 'token') {
    const group = model.groups.find((g) => g.name === route.authorizer);
    const others = (group?.routes.length ?? 1) - 1;
    return (
      `token-cached authorizer ${route.authorizer!}: one policy per token covers this route` +
      (others > 0 ? ` and ${others} other${others === 1 ? '' : 's'} (${group!.paths.join(', ')})` : '')
    );
  }
  return `per-route authorizer (cached per token, method and path): ${route.reason ?? 'its policy cannot be shared'}`;
}

function cellFor(
  roles: ReadonlyMap<string, CompiledRole>,
  role: CompiledRole,
  routeId: number,
  access: Access,
): MatrixCell {
  if (access === 'public') {
    return { role: role.name, kind: 'public', bindings: [], via: [], why: ['public route: no token needed'] };
  }
  const grant = role.grants.find((g) => g.route === routeId);
  if (grant === undefined) {
    return {
      role: role.name,
      kind: 'denied',
      bindings: [],
      via: [],
      why: [`no grant of ${role.name} (or a role it inherits) matches this route`],
    };
  }
  const bound = grant.bindings.filter((binding) => Object.keys(binding).length > 0);
  const unconditional = bound.length === 0 || bound.length < grant.bindings.length;
  const why = grant.via.map((source) => describeSource(roles, role.name, source));
  if (!unconditional) {
    const conditions = bound.map((binding) =>
      Object.entries(binding)
        .map(([param, claim]) => `{${param}} equals the caller's "${claim}" claim`)
        .join(' and '),
    );
    why.push(`only where ${conditions.join(', or where ')}`);
  }
  return {
    role: role.name,
    kind: unconditional ? 'allowed' : 'own',
    bindings: unconditional ? [] : bound,
    via: grant.via,
    why,
  };
}

/**
 * The matrix of a compiled model: one row per route in declaration order, one cell per role with
 * inheritance resolved (it reads `role.grants`, which the compiler already resolved).
 *
 * @example buildAccessMatrix(compileScopes(source)).rows[0].cells[0].kind === 'public'
 */
export function buildAccessMatrix(model: CompiledModel): AccessMatrix {
  const roles = new Map(model.roles.map((role) => [role.name, role]));
  return {
    file: model.file,
    roles: model.roles.map(({ name, description, inherits }) => ({
      name,
      ...(description === undefined ? {} : { description }),
      inherits,
    })),
    rows: model.routes.map((route) => ({
      route: route.id,
      method: route.method,
      path: route.path,
      function: route.function,
      access: route.access,
      ...(route.reason === undefined ? {} : { reason: route.reason }),
      line: route.line,
      authorizer: authorizerLine(model, route),
      ...(route.authorizer === undefined ? {} : { authorizerName: route.authorizer }),
      cells: model.roles.map((role) => cellFor(roles, role, route.id, route.access)),
    })),
    maxResultBytes: model.maxResultBytes,
  };
}

/** What a caller holding `roles` gets on a row: the most a role gives (allowed > own > denied). */
export function combinedKind(row: MatrixRow, roles: readonly string[]): CellKind {
  if (row.access === 'public') return 'public';
  const kinds = row.cells.filter((cell) => roles.includes(cell.role)).map((cell) => cell.kind);
  if (kinds.includes('allowed')) return 'allowed';
  return kinds.includes('own') ? 'own' : 'denied';
}
