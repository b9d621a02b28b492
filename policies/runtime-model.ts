// The compiled model as the Lambda bundles carry it: only what the per-request path reads, compactly.
//
// Grant sources, line numbers, descriptions, reasons and diagnostics stay out (a 2,000-route model would
// otherwise ship megabytes, and a comment-only edit of scopes.yaml would change the bundle); globs and path
// segments are derived again from the route keys when a cold start unpacks the model.
import type {
  Binding,
  CacheGroup,
  CompiledModel,
  CompiledRoute,
  MergeCandidate,
  RouteAnalysis,
} from './model';
import { METHODS, type Method, type Segment } from './model';

/** A grant: the route id alone when unconditional, else the route id and its bindings. */
type PackedGrant = number | [number, Binding[]];

export interface PackedModel {
  packed: 1;
  /** `METHOD /path` per route id. */
  routes: string[];
  /** Per route id: `p` public, `t` token-cached, `r` per-route. */
  access: string;
  /** Per route id: index into `groups`, or -1 when no token-cached authorizer decides it. */
  group: number[];
  groups: { name: string; roles: string[]; merges: MergeCandidate[] }[];
  routeAuthorizer?: string;
  roles: { name: string; inherits: string[]; grants: PackedGrant[] }[];
  /** Per route id with any reach: `[id, reachFull, reachBound?]`. */
  reach: [number, number[], number[]?][];
}

const ACCESS = { public: 'p', token: 't', route: 'r' } as const;
const ACCESS_OF = { p: 'public', t: 'token', r: 'route' } as const;

/**
 * The segments of a path the compiler already checked: a cold start splits 2,000 of them, so no validation
 * runs again (the glob is `templateGlob` rendered, the same way).
 */
function segmentsOf(path: string): Segment[] {
  if (path === '/') return [{ kind: 'literal', value: '' }];
  return path
    .slice(1)
    .split('/')
    .map((text): Segment =>
      !text.startsWith('{')
        ? { kind: 'literal', value: text }
        : text.endsWith('+}')
          ? { kind: 'greedy', name: text.slice(1, -2) }
          : { kind: 'param', name: text.slice(1, -1) },
    );
}

/** The bundle's form of a compiled model. */
export function packModel(model: CompiledModel): PackedModel {
  const groupIndex = new Map(model.groups.map((g, i) => [g.name, i]));
  return {
    packed: 1,
    routes: model.routes.map((r) => `${r.method} ${r.path}`),
    access: model.routes.map((r) => ACCESS[r.access]).join(''),
    group: model.routes.map((r) => (r.access === 'token' ? groupIndex.get(r.authorizer!)! : -1)),
    groups: model.groups.map((g) => ({ name: g.name, roles: g.roles, merges: g.merges })),
    ...(model.routeAuthorizer === undefined ? {} : { routeAuthorizer: model.routeAuthorizer }),
    roles: model.roles.map((role) => ({
      name: role.name,
      inherits: role.inherits,
      grants: role.grants.map((g): PackedGrant =>
        g.bindings.length === 1 && Object.keys(g.bindings[0]!).length === 0 ? g.route : [g.route, g.bindings],
      ),
    })),
    reach: model.analysis.flatMap((a, id): PackedModel['reach'] =>
      a.reachFull.length === 0 && (a.reachBound?.length ?? 0) === 0
        ? []
        : [a.reachBound === undefined ? [id, a.reachFull] : [id, a.reachFull, a.reachBound]],
    ),
  };
}

/**
 * The compiled model again, for `authorize`: what it does not read is left empty (`function`, `line`,
 * grant sources, group paths and sizes). Throws TypeError for something that is not a packed model.
 */
export function unpackModel(packed: PackedModel): CompiledModel {
  if (packed?.packed !== 1) throw new TypeError('not a packed scope model');
  const groups: CacheGroup[] = packed.groups.map((g) => ({ ...g, routes: [], paths: [], maxResultBytes: 0 }));
  const routes = packed.routes.map((key, id): CompiledRoute => {
    const space = key.indexOf(' ');
    const method = key.slice(0, space) as Method;
    const path = key.slice(space + 1);
    if (!METHODS.includes(method) || !path.startsWith('/'))
      throw new TypeError(`packed route ${id} "${key}"`);
    const access = ACCESS_OF[packed.access[id] as keyof typeof ACCESS_OF];
    const route: CompiledRoute = {
      id,
      method,
      path,
      segments: segmentsOf(path),
      function: '',
      access,
      line: 0,
    };
    const group = groups[packed.group[id]!];
    if (group) {
      group.routes.push(id);
      route.authorizer = group.name;
    } else if (access === 'route') route.authorizer = packed.routeAuthorizer;
    return route;
  });
  const reach = new Map(packed.reach.map(([id, full, bound]) => [id, { full, bound }]));
  const analysis = routes.map((r): RouteAnalysis => {
    const known = reach.get(r.id);
    return {
      glob: `${r.method}/${r.segments.map((seg) => (seg.kind === 'literal' ? seg.value : '*')).join('/')}`,
      reachFull: known?.full ?? [],
      ...(known?.bound === undefined ? {} : { reachBound: known.bound }),
    };
  });
  return {
    version: 1,
    file: '',
    routes,
    roles: packed.roles.map((role) => ({
      name: role.name,
      inherits: role.inherits,
      grants: role.grants.map((g) =>
        typeof g === 'number'
          ? { route: g, bindings: [{}], via: [] }
          : { route: g[0], bindings: g[1], via: [] },
      ),
    })),
    analysis,
    groups,
    ...(packed.routeAuthorizer === undefined ? {} : { routeAuthorizer: packed.routeAuthorizer }),
    grouping: '',
    maxResultBytes: 0,
    apiResources: 0,
    quotas: { authorizers: 0, resources: 0 },
    warnings: [],
  };
}

/**
 * What a bundle's `define` gives `__SCOPEGATE_MODEL__`: the packed model as a JSON string literal, which V8
 * parses faster at a cold start than the same data as an object literal.
 */
export function bundledModel(model: CompiledModel): string {
  return JSON.stringify(JSON.stringify(packModel(model)));
}

/** The model again from a bundle's `__SCOPEGATE_MODEL__`. */
export function modelFromBundle(text: string): CompiledModel {
  return unpackModel(JSON.parse(text) as PackedModel);
}
