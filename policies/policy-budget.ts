// Keeps every token-cached authorizer result within API Gateway's 8 KB, merging wildcards where exact.
import { renderPolicy } from './authorize';
import { MAX_BOUND_VALUE_LENGTH, MAX_CONTEXT_ID_LENGTH } from './claim-values';
import { BUDGET_ARN_PREFIX } from './method-arn';
import type { CompiledModel, MergeCandidate, Method } from './model';
import { holdingsOf, planForToken, type Plan } from './policy-plan';
import { globText, reach, templateGlob, type GlobToken } from './reach';
import type { RouteNode, RouteTree } from './route-tree';

/** API Gateway's limit for a Lambda authorizer result (policy, principal and context). */
export const MAX_RESULT_BYTES = 8192;

/** Up to this many roles every combination is sized; beyond it, an upper bound of all of them together. */
const MAX_ENUMERATED_ROLES = 10;

const resourceBytes = (text: string): number => BUDGET_ARN_PREFIX.length + text.length + 3;

/**
 * Wildcards that replace a subtree's Allows when a caller fully holds every token-cached route they reach:
 * per node and method (`GET/messages/*`), and for every method only at the root (`*`): elsewhere a leading `*`
 * crosses into paths (`*\/messages` matches `GET/users/messages`), reaching routes no caller holds all of.
 * Shallow first; kept only where shorter than what they replace and where some caller can hold them all.
 */
export function mergeCandidates(model: CompiledModel, tree: RouteTree): MergeCandidate[] {
  const isPrivate = (id: number): boolean => model.routes[id]!.access !== 'public';
  const everything = holdingsOf(
    model,
    model.roles.map((r) => r.name),
  );
  const holdable = (id: number): boolean => everything.get(id)?.full === true;
  const below = new Map<RouteNode, number[]>();
  const collect = (node: RouteNode): number[] => {
    const ids = [...node.methods.values()].filter(isPrivate);
    for (const child of [...node.literals.values(), node.param, node.greedy])
      if (child) ids.push(...collect(child));
    below.set(node, ids);
    return ids;
  };
  collect(tree.root);
  const out: { depth: number; star: boolean; candidate: MergeCandidate }[] = [];
  for (const node of tree.nodes) {
    const ids = below.get(node)!;
    const methods = [...new Set(ids.map((id) => model.routes[id]!.method))];
    const hasChildren = ids.some((id) => tree.nodeOf[id] !== node);
    const options: (Method | '*')[] = node === tree.root && methods.length > 1 ? ['*', ...methods] : methods;
    for (const method of options) {
      const covers = ids.filter((id) => method === '*' || model.routes[id]!.method === method);
      if (covers.length < 2 || !covers.every(holdable)) continue;
      const globs: GlobToken[][] = [];
      const own = templateGlob(method, node.segments);
      const ownsRoute = covers.some((id) => tree.nodeOf[id] === node);
      if (ownsRoute) globs.push(own);
      if (hasChildren && !(ownsRoute && own[own.length - 1]!.kind === 'star'))
        globs.push([...own, { kind: 'star' }]);
      const resources = globs.map((g) => globText(g));
      const before = covers.reduce((sum, id) => sum + resourceBytes(model.analysis[id]!.glob), 0);
      const after = resources.reduce((sum, r) => sum + resourceBytes(r), 0);
      if (after >= before) continue;
      const covered = new Set(covers);
      const reached = new Set(globs.flatMap((g) => reach(tree, g)));
      const alsoReaches = [...reached].filter((id) => isPrivate(id) && !covered.has(id));
      if (!alsoReaches.every(holdable)) continue;
      out.push({
        depth: node.segments.length,
        star: method === '*',
        candidate: { resources, covers, alsoReaches },
      });
    }
  }
  return out.sort((a, b) => a.depth - b.depth || Number(b.star) - Number(a.star)).map((c) => c.candidate);
}

/** Size of the authorizer result for a plan, with every variable part at its longest. */
export function worstResultBytes(plan: Plan, roles: readonly string[]): number {
  const longest = 'x'.repeat(MAX_BOUND_VALUE_LENGTH);
  const id = 'i'.repeat(MAX_CONTEXT_ID_LENGTH);
  const claims = new Proxy({}, { get: () => longest }) as Record<string, unknown>;
  return JSON.stringify({
    principalId: longest,
    policyDocument: renderPolicy(BUDGET_ARN_PREFIX, plan, claims),
    context: { sub: longest, roles: roles.join(' '), clientId: id, tokenId: id },
  }).length;
}

function* roleCombinations(names: readonly string[]): Generator<string[]> {
  for (let mask = 1; mask < 1 << names.length; mask++) yield names.filter((_, i) => mask & (1 << i));
}

/** A plan at least as large as any role combination's: every held route allowed, every reachable one denied. */
function upperBoundPlan(model: CompiledModel): Plan {
  const all = holdingsOf(
    model,
    model.roles.map((r) => r.name),
  );
  // Every route any glob reaches may need a Deny for some combination; no merge may apply.
  const deny = new Set<string>();
  for (const [id] of all) {
    if (model.routes[id]!.access !== 'token') continue;
    for (const other of model.analysis[id]!.reachFull) {
      if (model.routes[other]!.access === 'token') deny.add(model.analysis[other]!.glob);
    }
  }
  return { allow: planForToken({ ...model, merges: [] }, all).allow, deny: [...deny] };
}

/**
 * Moves token-cached routes to the per-route authorizer until every role combination's result fits in
 * 8 KB; returns the largest result size left.
 */
export function fitBudget(model: CompiledModel): number {
  const names = model.roles.map((r) => r.name);
  for (;;) {
    let worst = { bytes: 0, roles: [] as string[], plan: undefined as Plan | undefined };
    const sizes =
      names.length <= MAX_ENUMERATED_ROLES
        ? [...roleCombinations(names)].map((roles) => ({
            roles,
            plan: planForToken(model, holdingsOf(model, roles)),
          }))
        : [{ roles: names, plan: upperBoundPlan(model) }];
    for (const { roles, plan } of sizes) {
      const bytes = worstResultBytes(plan, roles);
      if (bytes > worst.bytes) worst = { bytes, roles, plan };
    }
    if (worst.bytes <= MAX_RESULT_BYTES) return worst.bytes;
    // Largest Allows first: each route moved saves at least its own resource.
    const held = [...holdingsOf(model, worst.roles).keys()]
      .filter((id) => model.routes[id]!.access === 'token' && !worst.plan?.covered?.has(id))
      .sort((a, b) => model.analysis[b]!.glob.length - model.analysis[a]!.glob.length);
    let excess = worst.bytes - MAX_RESULT_BYTES;
    for (const id of held.length > 0 ? held : [...holdingsOf(model, worst.roles).keys()]) {
      if (excess <= 0) break;
      const route = model.routes[id]!;
      if (route.access !== 'token') continue;
      route.access = 'route';
      route.reason = `the token-cached policy for roles ${worst.roles.join(', ')} would exceed 8 KB`;
      excess -= resourceBytes(model.analysis[id]!.glob);
    }
  }
}
