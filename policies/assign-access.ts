// Decides which private routes the token-cached policy can decide exactly, and moves the rest per route.
//
// The token-cached policy allows each held route by its glob and denies every route that glob also reaches
// but the caller does not fully hold. That is exact unless, for some role combination, (a) an Allow reaches a
// route the caller holds only through a binding (a Deny would take the bound part away too), or (b) the Deny
// for an unheld route would itself reach a held route. Each such case names routes; the per-route authorizer
// only decides one route at a time, so moving any one of them removes the case. A small set is chosen: greedy
// by how many cases a route settles, then every route that is not needed is moved back.
import type { CompiledModel, CompiledRoute } from './model';
import { isFullBinding } from './policy-plan';

/** One way a whole-API policy could go wrong, and the routes that settle it if any one goes per-route. */
export interface Conflict {
  routes: number[];
  reason: string;
}

type Kind = 'full' | 'bound';

function kindsOf(model: CompiledModel): Map<number, Kind>[] {
  return model.roles.map(
    (role) =>
      new Map(role.grants.map((g) => [g.route, g.bindings.some(isFullBinding) ? 'full' : 'bound'] as const)),
  );
}

const label = (route: CompiledRoute): string => `${route.method} ${route.path}`;

/** Every way the whole-API policy could be inexact for some role combination (routes as in `model.analysis`). */
export function findConflicts(model: CompiledModel): Conflict[] {
  const kinds = kindsOf(model);
  const names = model.roles.map((r) => r.name);
  const privateRoute = (id: number): boolean => model.routes[id]!.access !== 'public';
  const conflicts = new Map<string, Conflict>();
  const add = (routes: number[], reason: string): void => {
    const key = [...new Set(routes)].sort((a, b) => a - b).join(',');
    if (!conflicts.has(key)) conflicts.set(key, { routes: [...new Set(routes)], reason });
  };
  for (const s of model.routes) {
    if (!privateRoute(s.id)) continue;
    for (const [a, held] of kinds.entries()) {
      const kind = held.get(s.id);
      if (!kind) continue;
      const analysis = model.analysis[s.id]!;
      for (const u of kind === 'full' ? analysis.reachFull : (analysis.reachBound ?? analysis.reachFull)) {
        if (!privateRoute(u) || held.get(u) === 'full') continue;
        const boundHolder = kinds.findIndex((k) => k.get(u) === 'bound');
        if (boundHolder >= 0) {
          add(
            [s.id, u],
            `an Allow for ${label(s)} (role ${names[a]}) also matches ${label(model.routes[u]!)}, ` +
              `which role ${names[boundHolder]} holds only through a binding`,
          );
        }
        if (held.has(u)) continue;
        for (const t of model.analysis[u]!.reachFull) {
          if (!privateRoute(t)) continue;
          const c = kinds.findIndex((k) => !k.has(u) && k.has(t));
          if (c < 0) continue;
          add(
            [s.id, u, t],
            `an Allow for ${label(s)} (role ${names[a]}) also matches ${label(model.routes[u]!)}, and a Deny ` +
              `for that would also match ${label(model.routes[t]!)} (role ${names[c]})`,
          );
        }
      }
    }
  }
  return [...conflicts.values()];
}

/**
 * Chooses routes for the per-route authorizer so that no conflict is left among token-cached routes; returns
 * each chosen route with the reason. The set is minimal: no chosen route can go back without a conflict.
 */
export function settleConflicts(conflicts: readonly Conflict[]): Map<number, string> {
  const chosen = new Map<number, string>();
  const open = (c: Conflict): boolean => c.routes.every((r) => !chosen.has(r));
  for (;;) {
    const remaining = conflicts.filter(open);
    if (remaining.length === 0) break;
    const count = new Map<number, number>();
    for (const c of remaining) for (const r of c.routes) count.set(r, (count.get(r) ?? 0) + 1);
    // Most conflicts settled first; on a tie the route reached by others (later in the conflict) goes.
    let best = -1;
    let bestCount = -1;
    for (const c of remaining) {
      for (const r of [...c.routes].reverse()) {
        if (count.get(r)! > bestCount) [best, bestCount] = [r, count.get(r)!];
      }
    }
    chosen.set(best, remaining.find((c) => c.routes.includes(best))!.reason);
  }
  for (const route of [...chosen.keys()].reverse()) {
    const reason = chosen.get(route)!;
    chosen.delete(route);
    if (conflicts.some(open)) chosen.set(route, reason);
  }
  return chosen;
}
