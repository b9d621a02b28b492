// What a caller's policy allows and denies, before the ARN prefix and claim values are filled in.
//
// A plan depends only on the caller's role set, so the authorizer computes it once per role set and reuses
// it; per request only the ARN prefix and the bound claim values are substituted.
import type { Binding, CompiledModel, CompiledRoute, ResourcePart } from './model';

/** A resource after the ARN prefix: plain text, or parts with claim placeholders. */
export type ResourceTemplate = string | ResourcePart[];

export interface Plan {
  allow: ResourceTemplate[];
  deny: string[];
  /** Routes whose Allow a merged wildcard replaced. */
  covered?: ReadonlySet<number>;
}

/** What a role set holds on one route: everything, or only where a binding holds. */
export type Holding = { full: true } | { full: false; bindings: Binding[] };

export function isFullBinding(binding: Binding): boolean {
  return Object.keys(binding).length === 0;
}

/** Resolves what a set of roles holds on every route (roles unknown to the model are ignored). */
export function holdingsOf(model: CompiledModel, roleNames: Iterable<string>): Map<number, Holding> {
  const wanted = new Set(roleNames);
  const holdings = new Map<number, Holding>();
  for (const role of model.roles) {
    if (!wanted.has(role.name)) continue;
    for (const grant of role.grants) {
      const previous = holdings.get(grant.route);
      if (previous?.full) continue;
      if (grant.bindings.some(isFullBinding)) holdings.set(grant.route, { full: true });
      else
        holdings.set(grant.route, {
          full: false,
          bindings: [...(previous?.bindings ?? []), ...grant.bindings],
        });
    }
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

function allowsFor(model: CompiledModel, routeId: number, holding: Holding): ResourceTemplate[] {
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

/** The token-cached authorizer's plan: every token-cached route the role set holds, exactly. */
export function planForToken(model: CompiledModel, holdings: ReadonlyMap<number, Holding>): Plan {
  const isToken = (id: number): boolean => model.routes[id]!.access === 'token';
  const isFull = (id: number): boolean => holdings.get(id)?.full === true;
  const allow: ResourceTemplate[] = [];
  const covered = new Set<number>();
  for (const merge of model.merges) {
    const covers = merge.covers.filter(isToken);
    if (covers.length === 0 || covers.some((id) => covered.has(id))) continue;
    if (!covers.every(isFull) || !merge.alsoReaches.filter(isToken).every(isFull)) continue;
    allow.push(...merge.resources);
    for (const id of covers) covered.add(id);
  }
  const deny = new Set<string>();
  for (const [id, holding] of holdings) {
    if (!isToken(id)) continue;
    if (!covered.has(id)) allow.push(...allowsFor(model, id, holding));
    // The Allow's `*` also matches other routes' requests: deny those the caller does not fully hold.
    // The compiler moved every route where such a Deny would also hit a held route to the per-route authorizer.
    const analysis = model.analysis[id]!;
    for (const other of holding.full ? analysis.reachFull : (analysis.reachBound ?? analysis.reachFull)) {
      if (isToken(other) && !isFull(other)) deny.add(model.analysis[other]!.glob);
    }
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
