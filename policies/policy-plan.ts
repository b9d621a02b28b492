// What a caller's policy allows and denies, before the ARN prefix and claim values are filled in.
//
// A plan depends only on the caller's role set, so the authorizer computes it once per role set and reuses
// it; per request only the ARN prefix and the bound claim values are substituted.
import { MAX_BOUND_VALUE_LENGTH } from './claim-values';
import { BUDGET_ARN_PREFIX } from './method-arn';
import type {
  Binding,
  CompiledModel,
  CompiledRoute,
  MergeCandidate,
  ResourcePart,
  RouteGrant,
} from './model';

/** A resource after the ARN prefix: plain text, or parts with claim placeholders. */
export type ResourceTemplate = string | ResourcePart[];

export interface Plan {
  allow: ResourceTemplate[];
  deny: string[];
  /** Routes whose Allow a merged wildcard replaced. */
  covered?: ReadonlySet<number>;
}

/** Bytes one resource adds to a result: the longest ARN prefix, claim values at their longest, quotes, comma. */
export function resourceBytes(template: ResourceTemplate): number {
  const text =
    typeof template === 'string'
      ? template.length
      : template.reduce((sum, p) => sum + (typeof p === 'string' ? p.length : MAX_BOUND_VALUE_LENGTH), 0);
  return BUDGET_ARN_PREFIX.length + text + 3;
}

/** What a role set holds on one route: everything, or only where a binding holds. */
export type Holding = { full: true } | { full: false; bindings: Binding[] };

export function isFullBinding(binding: Binding): boolean {
  return Object.keys(binding).length === 0;
}

/** What one grant gives on its route. */
export function grantHolding(grant: RouteGrant): Holding {
  return grant.bindings.some(isFullBinding) ? { full: true } : { full: false, bindings: grant.bindings };
}

/** Adds a holding to what is held on a route: everything wins, bindings add up. */
function addHolding(into: Map<number, Holding>, route: number, holding: Holding): void {
  const previous = into.get(route);
  if (previous?.full) return;
  if (holding.full || !previous) into.set(route, holding);
  else into.set(route, { full: false, bindings: [...previous.bindings, ...holding.bindings] });
}

/** What two role sets hold together. */
export function combineHoldings(
  a: ReadonlyMap<number, Holding>,
  b: ReadonlyMap<number, Holding>,
): Map<number, Holding> {
  const out = new Map(a);
  for (const [route, holding] of b) addHolding(out, route, holding);
  return out;
}

/** Resolves what a set of roles holds on every route (roles unknown to the model are ignored). */
export function holdingsOf(model: CompiledModel, roleNames: Iterable<string>): Map<number, Holding> {
  const wanted = new Set(roleNames);
  const holdings = new Map<number, Holding>();
  for (const role of model.roles) {
    if (!wanted.has(role.name)) continue;
    for (const grant of role.grants) addHolding(holdings, grant.route, grantHolding(grant));
  }
  return holdings;
}

/** The resource of a route with its bound parameters as claim placeholders. */
export function boundResource(route: CompiledRoute, binding: Binding): ResourcePart[] {
  const parts: ResourcePart[] = [`${route.method}/`];
  for (const [i, s] of route.segments.entries()) {
    if (i > 0) parts.push('/');
    if (s.kind === 'literal') parts.push(s.value);
    else if (s.kind === 'param' && binding[s.name] !== undefined) parts.push({ claim: binding[s.name]! });
    else parts.push('*');
  }
  // Adjacent text parts are joined so substitution is a short walk.
  const joined: ResourcePart[] = [];
  for (const part of parts) {
    const last = joined[joined.length - 1];
    if (typeof part === 'string' && typeof last === 'string') joined[joined.length - 1] = last + part;
    else joined.push(part);
  }
  return joined;
}

export function allowsFor(model: CompiledModel, routeId: number, holding: Holding): ResourceTemplate[] {
  if (holding.full) return [model.analysis[routeId]!.glob];
  const route = model.routes[routeId]!;
  const seen = new Set<string>();
  const out: ResourceTemplate[] = [];
  for (const binding of holding.bindings) {
    const parts = boundResource(route, binding);
    const key = JSON.stringify(parts);
    if (!seen.has(key)) out.push(parts);
    seen.add(key);
  }
  return out;
}

/** The routes one token-cached authorizer decides, and the wildcards it may use for them. */
export interface PlanScope {
  members: ReadonlySet<number>;
  merges: readonly MergeCandidate[];
}

/**
 * A token-cached authorizer's plan: every route of `scope` the role set holds, exactly. Requests of other
 * routes never see this policy (API Gateway keeps one cache per authorizer), so an Allow that also matches
 * them needs no Deny.
 */
export function planForToken(
  model: CompiledModel,
  scope: PlanScope,
  holdings: ReadonlyMap<number, Holding>,
): Plan {
  const { members } = scope;
  const isFull = (id: number): boolean => holdings.get(id)?.full === true;
  const glob = (id: number): string => model.analysis[id]!.glob;
  const allow: ResourceTemplate[] = [];
  const covered = new Set<number>();
  const deny = new Set<string>();
  // Each held route's Allow `*` also matches other routes' requests: deny those the caller does not fully
  // hold. The compiler moved every route where such a Deny would also hit a held route elsewhere. These Denies
  // stand whether or not a wildcard replaces the Allow, so a wildcard's exceptions among them cost nothing.
  for (const [id, holding] of holdings) {
    if (!members.has(id)) continue;
    const analysis = model.analysis[id]!;
    for (const other of holding.full ? analysis.reachFull : (analysis.reachBound ?? analysis.reachFull)) {
      if (members.has(other) && !isFull(other)) deny.add(glob(other));
    }
  }
  for (const merge of scope.merges) {
    if (merge.covers.some((id) => covered.has(id)) || !merge.covers.some(isFull)) continue;
    // Every route the wildcard reaches is fully held, or not held at all and denied by its own glob, where
    // that Deny hits no held route (a route held through a binding needs its own exact Allow).
    const exceptions: number[] = [];
    let exact = true;
    for (const id of [...merge.covers, ...merge.alsoReaches]) {
      if (!members.has(id) || isFull(id)) continue;
      const reachesHeld = model.analysis[id]!.reachFull.some((t) => members.has(t) && holdings.has(t));
      if (holdings.has(id) || reachesHeld || merge.strict === true) {
        exact = false;
        break;
      }
      exceptions.push(id);
    }
    if (!exact) continue;
    const before = merge.covers.filter(isFull).reduce((sum, id) => sum + resourceBytes(glob(id)), 0);
    const after =
      merge.resources.reduce((sum, r) => sum + resourceBytes(r), 0) +
      exceptions.filter((id) => !deny.has(glob(id))).reduce((sum, id) => sum + resourceBytes(glob(id)), 0);
    if (after >= before) continue;
    allow.push(...merge.resources);
    for (const id of merge.covers) covered.add(id);
    for (const id of exceptions) deny.add(glob(id));
  }
  for (const [id, holding] of holdings) {
    if (members.has(id) && !covered.has(id)) allow.push(...allowsFor(model, id, holding));
  }
  return { allow, deny: [...deny], covered };
}

/** The per-route authorizer's plan: that one route, allowed where held, denied otherwise. */
export function planForRoute(
  model: CompiledModel,
  routeId: number,
  holdings: ReadonlyMap<number, Holding>,
): Plan {
  const holding = holdings.get(routeId);
  if (!holding) return { allow: [], deny: [model.analysis[routeId]!.glob] };
  return { allow: allowsFor(model, routeId, holding), deny: [] };
}
