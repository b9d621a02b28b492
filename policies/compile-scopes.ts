// Compiles scopes.yaml into the model every part of the product consumes, or reports every problem in it.
import { findConflicts } from './assign-access';
import { assignCacheGroups } from './cache-groups';
import { ScopesError, type Diagnostic } from './errors';
import { mergeCandidates } from './merge-candidates';
import type {
  ApiQuotas,
  Binding,
  CompiledModel,
  CompiledRole,
  CompiledRoute,
  GrantSource,
  Segment,
} from './model';
import {
  parseGrantPattern,
  parseRouteKey,
  segmentMatches,
  shapeOf,
  type GrantPattern,
} from './path-template';
import { readScopes, type Locate, type PathElement } from './read-scopes';
import { buildRouteTree, type RouteTree } from './route-tree';
import { globText, reach, templateGlob } from './reach';

export interface CompileOptions {
  /** Functions that have handler source; when given, a route naming any other function is an error. */
  functions?: readonly string[];
}

/** API Gateway's default quotas per REST API; both can be raised on request (`quotas` in scopes.yaml). */
export const DEFAULT_QUOTAS: ApiQuotas = { authorizers: 10, resources: 300 };

/** A role's grants, and what its failed grants were meant for (so no follow-on diagnostic is made up). */
interface RoleGrants {
  grants: DirectGrant[];
  /** Routes a grant with a bad binding names. */
  failedRoutes: number[];
  /** A grant could not be read at all: which routes it meant is unknown. */
  unreadable: boolean;
}

interface DirectGrant {
  route: number;
  binding: Binding;
  source: GrantSource;
}

class Diagnostics {
  readonly list: Diagnostic[] = [];
  constructor(
    private readonly file: string,
    private readonly locate: Locate,
  ) {}
  add(path: readonly PathElement[], message: string, key = false): void {
    this.list.push({ file: this.file, ...this.locate(path, key), message });
  }
}

const label = (r: { method: string; path: string }): string => `${r.method} ${r.path}`;

function compileRoutes(
  routes: Record<string, string>,
  options: CompileOptions,
  report: Diagnostics,
  locate: Locate,
): CompiledRoute[] {
  const compiled: CompiledRoute[] = [];
  const shapes = new Map<string, CompiledRoute>();
  // Parameter names per resource position: API Gateway allows one name per position, across methods.
  const paramAt = new Map<string, { name: string; route: CompiledRoute }>();
  // API Gateway also allows one variable child per resource: `{id}` and `{path+}` cannot be siblings.
  const variableAt = new Map<string, { text: string; route: CompiledRoute }>();
  for (const [key, fn] of Object.entries(routes)) {
    const parsed = parseRouteKey(key);
    if (!parsed.ok) {
      report.add(['routes', key], parsed.message, true);
      continue;
    }
    const { method, path, segments } = parsed.value;
    const route: CompiledRoute = {
      id: compiled.length,
      method,
      path,
      segments,
      function: fn,
      access: 'token',
      line: locate(['routes', key], true).line,
    };
    const shape = shapeOf(method, segments);
    const twin = shapes.get(shape);
    if (twin) {
      report.add(
        ['routes', key],
        `route "${key}" is declared twice (first as "${label(twin)}" at line ${twin.line})`,
        true,
      );
      continue;
    }
    shapes.set(shape, route);
    let clash = false;
    for (const [i, s] of segments.entries()) {
      if (s.kind === 'literal') continue;
      const parent = shapeOf('', segments.slice(0, i));
      const text = s.kind === 'param' ? `{${s.name}}` : `{${s.name}+}`;
      const sibling = variableAt.get(parent);
      if (!sibling) variableAt.set(parent, { text, route });
      else if (sibling.text.endsWith('+}') !== (s.kind === 'greedy') && !clash) {
        clash = true;
        const under =
          route.path
            .split('/')
            .slice(0, i + 1)
            .join('/') || '/';
        report.add(
          ['routes', key],
          `${text} in "${key}" is a sibling of ${sibling.text} in "${label(sibling.route)}" (line ` +
            `${sibling.route.line}) under "${under}"; API Gateway allows one variable path part per resource`,
          true,
        );
      }
      const position = `${parent}|${s.kind}`;
      const seen = paramAt.get(position);
      if (!seen) paramAt.set(position, { name: s.name, route });
      else if (seen.name !== s.name && !clash) {
        clash = true;
        report.add(
          ['routes', key],
          `parameter {${s.name}} in "${key}" conflicts with {${seen.name}} at the same position in ` +
            `"${label(seen.route)}" (line ${seen.route.line}); API Gateway allows one name per position`,
          true,
        );
      }
    }
    if (options.functions && !options.functions.includes(fn)) {
      report.add(
        ['routes', key],
        `function "${fn}" has no handler source. Expected one of: ${[...options.functions].sort().join(', ')}`,
      );
    }
    compiled.push(route);
  }
  return compiled;
}

/** Routes a grant pattern names: exact template, or everything at and below a `/**` prefix. */
function matchPattern(pattern: GrantPattern, routes: readonly CompiledRoute[]): CompiledRoute[] {
  return routes.filter((route) => {
    if (pattern.method !== '*' && pattern.method !== route.method) return false;
    const n = pattern.segments.length;
    if (pattern.subtree ? route.segments.length < n : route.segments.length !== n) return false;
    return pattern.segments.every((p, i) => segmentMatches(p, route.segments[i]!));
  });
}

/** A bound parameter after an unbound one cannot be pinned in a glob when a greedy parameter follows. */
function unpinnedBinding(segments: readonly Segment[], binding: Binding): string | undefined {
  if (segments[segments.length - 1]?.kind !== 'greedy') return undefined;
  let unbound = false;
  for (const s of segments) {
    if (s.kind !== 'param') continue;
    if (binding[s.name] === undefined) unbound = true;
    else if (unbound) return s.name;
  }
  return undefined;
}

function compileGrants(
  roleName: string,
  grants: readonly string[],
  routes: readonly CompiledRoute[],
  isPublic: (r: CompiledRoute) => boolean,
  report: Diagnostics,
  locate: Locate,
): RoleGrants {
  const out: RoleGrants = { grants: [], failedRoutes: [], unreadable: false };
  for (const [i, text] of grants.entries()) {
    const where: PathElement[] = ['roles', roleName, 'grants', i];
    const parsed = parseGrantPattern(text);
    if (!parsed.ok) {
      report.add(where, parsed.message);
      out.unreadable = true;
      continue;
    }
    const matched = matchPattern(parsed.value, routes);
    const reachable = matched.filter((r) => !isPublic(r));
    if (reachable.length === 0) {
      const publicOne = matched.find(isPublic);
      if (publicOne && !parsed.value.subtree) {
        report.add(
          where,
          `grant "${text}" names public route "${label(publicOne)}"; public routes need no grant`,
        );
      } else report.add(where, `grant "${text}" matches no declared private route`);
      continue;
    }
    const source: GrantSource = { role: roleName, pattern: text, line: locate(where).line };
    const binding: Binding = {};
    for (const s of parsed.value.segments) if (s.kind === 'bound') binding[s.name] = s.claim;
    const unpinned = reachable.find((route) => unpinnedBinding(route.segments, binding) !== undefined);
    if (unpinned) {
      const name = unpinnedBinding(unpinned.segments, binding)!;
      report.add(
        where,
        `binding {${name}=${binding[name]!}} in "${text}" cannot be exact on "${label(unpinned)}": with a greedy ` +
          `parameter, every parameter before a bound one must be bound too`,
      );
      out.failedRoutes.push(...reachable.map((r) => r.id));
      continue;
    }
    out.grants.push(...reachable.map((route) => ({ route: route.id, binding, source })));
  }
  return out;
}

/** Resolves `inherits`, reporting unknown roles and cycles; returns each role's ancestors including itself. */
function resolveInheritance(
  roles: Record<string, { inherits?: string[] }>,
  report: Diagnostics,
): Map<string, string[]> {
  const names = Object.keys(roles);
  const closure = new Map<string, string[]>();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]): string[] => {
    const known = closure.get(name);
    if (known) return known;
    const all = new Set([name]);
    for (const [i, parent] of (roles[name]?.inherits ?? []).entries()) {
      if (!(parent in roles)) {
        if (trail.length === 0) {
          report.add(
            ['roles', name, 'inherits', i],
            `role "${name}" inherits unknown role "${parent}". Expected one of: ${names.join(', ')}`,
          );
        }
        continue;
      }
      if (trail.includes(parent) || parent === name) {
        const cycle =
          parent === name ? [name, name] : [name, parent, ...trail.slice(trail.indexOf(parent) + 1), name];
        const key = [...new Set(cycle)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          report.add(['roles', name, 'inherits', i], `role "${name}" inherits itself: ${cycle.join(' -> ')}`);
        }
        continue;
      }
      for (const a of visit(parent, [...trail, name])) all.add(a);
    }
    const result = [...all];
    if (trail.length === 0) closure.set(name, result);
    return result;
  };
  for (const name of names) visit(name, []);
  return closure;
}

function effectiveRoles(
  document: { roles?: Record<string, { description?: string; inherits?: string[] }> },
  direct: Map<string, DirectGrant[]>,
  ancestors: Map<string, string[]>,
): CompiledRole[] {
  return Object.entries(document.roles ?? {}).map(([name, role]) => {
    const byRoute = new Map<number, { bindings: Map<string, Binding>; via: GrantSource[] }>();
    for (const ancestor of ancestors.get(name) ?? [name]) {
      for (const g of direct.get(ancestor) ?? []) {
        const entry = byRoute.get(g.route) ?? {
          bindings: new Map<string, Binding>(),
          via: [] as GrantSource[],
        };
        entry.bindings.set(JSON.stringify(Object.entries(g.binding).sort()), g.binding);
        if (!entry.via.some((v) => v.role === g.source.role && v.pattern === g.source.pattern))
          entry.via.push(g.source);
        byRoute.set(g.route, entry);
      }
    }
    const grants = [...byRoute.entries()]
      .sort(([a], [b]) => a - b)
      .map(([route, { bindings, via }]) => {
        const all = [...bindings.values()];
        const full = all.find((b) => Object.keys(b).length === 0);
        return { route, bindings: full ? [full] : all, via };
      });
    const compiled: CompiledRole = { name, inherits: role.inherits ?? [], grants };
    if (role.description !== undefined) compiled.description = role.description;
    return compiled;
  });
}

/** Globs and reach of every route: what each route's own Allow or Deny would also match. */
function analyse(
  routes: readonly CompiledRoute[],
  roles: readonly CompiledRole[],
  tree: RouteTree,
): CompiledModel['analysis'] {
  const isPrivate = (id: number): boolean => routes[id]!.access !== 'public';
  // Parameters bound in every binding any role holds on a route: the widest bound glob covers them all.
  const boundEverywhere = new Map<number, Set<string>>();
  for (const role of roles) {
    for (const grant of role.grants) {
      for (const b of grant.bindings) {
        const names = new Set(Object.keys(b));
        const previous = boundEverywhere.get(grant.route);
        boundEverywhere.set(
          grant.route,
          previous ? new Set([...previous].filter((n) => names.has(n))) : names,
        );
      }
    }
  }
  return routes.map((route) => {
    const tokens = templateGlob(route.method, route.segments);
    const reachFull = reach(tree, tokens).filter((id) => id !== route.id && isPrivate(id));
    const bound = boundEverywhere.get(route.id);
    if (!bound || bound.size === 0) return { glob: globText(tokens), reachFull };
    const reachBound = reach(tree, templateGlob(route.method, route.segments, bound)).filter(
      (id) => id !== route.id && isPrivate(id),
    );
    return { glob: globText(tokens), reachFull, reachBound };
  });
}

/**
 * Compiles the text of a scopes file.
 *
 * @throws {ScopesError} with every diagnostic (`file:line:col: message`) when the file is not valid.
 * @example
 * const model = compileScopes(readFileSync('scopes.yaml', 'utf8'), 'scopes.yaml', { functions: ['auth'] });
 */
export function compileScopes(
  source: string,
  fileName = 'scopes.yaml',
  options: CompileOptions = {},
): CompiledModel {
  const read = readScopes(source, fileName);
  if (!read.ok) throw new ScopesError(read.diagnostics);
  const { document, locate } = read;
  const report = new Diagnostics(fileName, locate);

  const routes = compileRoutes(document.routes, options, report, locate);
  const byLabel = new Map(routes.map((r) => [label(r), r]));
  const publicIds = new Set<number>();
  for (const [i, text] of (document.public ?? []).entries()) {
    const parsed = parseRouteKey(text);
    const route = parsed.ok ? byLabel.get(label(parsed.value)) : undefined;
    if (route) publicIds.add(route.id);
    else
      report.add(
        ['public', i],
        parsed.ok ? `public route "${text}" is not declared under routes` : parsed.message,
      );
  }
  for (const route of routes) if (publicIds.has(route.id)) route.access = 'public';

  const isPublic = (r: CompiledRoute): boolean => publicIds.has(r.id);
  const direct = new Map<string, DirectGrant[]>();
  // Routes a failed grant was meant for: "no role is granted it" would only repeat that grant's error.
  const meant = new Set<number>();
  let unreadableGrant = false;
  for (const [name, role] of Object.entries(document.roles ?? {})) {
    const compiled = compileGrants(name, role.grants ?? [], routes, isPublic, report, locate);
    direct.set(name, compiled.grants);
    compiled.failedRoutes.forEach((id) => meant.add(id));
    unreadableGrant ||= compiled.unreadable;
  }
  const ancestors = resolveInheritance(document.roles ?? {}, report);
  const roles = effectiveRoles(document, direct, ancestors);

  const granted = new Set(roles.flatMap((r) => r.grants.map((g) => g.route)));
  for (const route of unreadableGrant ? [] : routes) {
    if (route.access !== 'public' && !granted.has(route.id) && !meant.has(route.id)) {
      report.add(
        ['routes', `${route.method} ${route.path}`],
        `route "${label(route)}" is private but no role is granted it; grant it to a role or list it under public`,
        true,
      );
    }
  }
  if (report.list.length > 0) {
    throw new ScopesError([...report.list].sort((a, b) => a.line - b.line || a.column - b.column));
  }

  const tree = buildRouteTree(routes);
  const quotas: ApiQuotas = { ...DEFAULT_QUOTAS, ...document.quotas };
  const model: CompiledModel = {
    version: 1,
    file: fileName,
    routes,
    roles,
    analysis: analyse(routes, roles, tree),
    groups: [],
    grouping: '',
    maxResultBytes: 0,
    apiResources: countResources(tree),
    quotas,
    warnings: [],
  };
  assignCacheGroups(model, findConflicts(model), mergeCandidates(model, tree), quotas);
  if (model.apiResources > quotas.resources) {
    model.warnings.push(
      `${fileName}: the API needs ${model.apiResources} API Gateway resources (one per distinct path prefix), ` +
        `over the quota of ${quotas.resources} per REST API; the import fails unless the quota is raised ` +
        `(then set quotas.resources)`,
    );
  }
  return model;
}

/** API Gateway resources: one per distinct path prefix, and the root `/`, which every API has. */
function countResources(tree: RouteTree): number {
  const hasRoot = tree.root.literals.has('');
  return tree.nodes.length - 1 + (hasRoot ? 0 : 1);
}
