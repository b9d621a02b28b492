// Wildcards that can replace many Allows, e.g. `GET/messages/*` for a caller who holds every GET route below.
import type { CompiledModel, MergeCandidate, Method } from './model';
import { resourceBytes } from './policy-plan';
import { globText, reach, templateGlob, type GlobToken } from './reach';
import type { RouteNode, RouteTree } from './route-tree';

/**
 * Every wildcard per resource node and method (`GET/messages/*`), and `*` for everything, over
 * the whole API: `covers` are the private routes below the node it replaces, `alsoReaches` the other private
 * routes its `*` reaches (IAM's `*` crosses `/`, and a leading `*` crosses into other paths). Shallow first.
 * A group keeps those that are shorter and exact for its own routes (`mergesForGroup`).
 */
export function mergeCandidates(model: CompiledModel, tree: RouteTree): MergeCandidate[] {
  const isPrivate = (id: number): boolean => model.routes[id]!.access !== 'public';
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
    if (ids.length < 2) continue;
    const methods = [...new Set(ids.map((id) => model.routes[id]!.method))];
    const hasChildren = ids.some((id) => tree.nodeOf[id] !== node);
    // All methods at once only at the root: `*` itself, which replaces everything. Elsewhere a leading `*`
    // crosses into every path (`*\/orders/*` matches `GET/invoices/orders/7` when invoices have a parameter
    // there), tying resources together for no gain, and finding what it reaches explores the whole tree.
    const root = node.segments.length === 0;
    const options: (Method | '*')[] = root ? ['*'] : methods;
    for (const method of options) {
      const covers = ids.filter((id) => method === '*' || model.routes[id]!.method === method);
      if (covers.length < 2) continue;
      const globs: GlobToken[][] = [];
      const own = templateGlob(method, node.segments);
      const ownsRoute = covers.some((id) => tree.nodeOf[id] === node);
      if (ownsRoute) globs.push(own);
      if (hasChildren && !(ownsRoute && own[own.length - 1]!.kind === 'star'))
        globs.push([...own, { kind: 'star' }]);
      const resources = globs.map((g) => globText(g));
      const covered = new Set(covers);
      const reached = new Set(globs.flatMap((g) => reach(tree, g)));
      const alsoReaches = [...reached].filter((id) => isPrivate(id) && !covered.has(id));
      out.push({
        depth: node.segments.length,
        star: method === '*',
        candidate: { resources, covers, alsoReaches, ...(root ? { strict: true as const } : {}) },
      });
    }
  }
  return out.sort((a, b) => a.depth - b.depth || Number(b.star) - Number(a.star)).map((c) => c.candidate);
}

/**
 * The wildcards a group may use, restricted to its routes: shorter than the Allows they replace, coverable
 * by some role set (`holdable`: what all roles together hold fully), and either within one top-level
 * resource or (`strict`) replacing every route of the group. A leading `*` also matches paths of other
 * resources (`*\/orders/*` matches `GET/invoices/orders/7` when invoices have a parameter there): such a
 * wildcard would tie resources together for no gain, and is left out.
 */
export function mergesForGroup(
  model: CompiledModel,
  candidates: readonly MergeCandidate[],
  members: ReadonlySet<number>,
  holdable: ReadonlySet<number>,
): MergeCandidate[] {
  const top = (id: number): string => {
    const head = model.routes[id]!.segments[0]!;
    return head.kind === 'literal' ? head.value : '{}';
  };
  const out: MergeCandidate[] = [];
  for (const candidate of candidates) {
    const covers = candidate.covers.filter((id) => members.has(id));
    if (covers.length < 2 || !covers.some((id) => holdable.has(id))) continue;
    const alsoReaches = candidate.alsoReaches.filter((id) => members.has(id));
    const before = covers.reduce((sum, id) => sum + resourceBytes(model.analysis[id]!.glob), 0);
    const after = candidate.resources.reduce((sum, r) => sum + resourceBytes(r), 0);
    if (after >= before) continue;
    if (candidate.strict === true) {
      if (covers.length === members.size) out.push({ ...candidate, covers, alsoReaches });
      continue;
    }
    const resource = top(covers[0]!);
    if ([...covers, ...alsoReaches].every((id) => top(id) === resource))
      out.push({ resources: candidate.resources, covers, alsoReaches });
  }
  return out;
}
