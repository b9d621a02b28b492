// Splits the token-cached routes into cache groups, each decided by its own token-cached authorizer.
//
// API Gateway keeps one authorizer cache per authorizer, so a group's policy only has to be exact, and fit
// 8 KB, for the group's own routes. Two routes in different groups can never make each other's policy wrong:
// every conflict (`assign-access.ts`) spans several groups or none. One group is kept wherever it suffices;
// otherwise groups follow the API's top-level resources, routes that conflict go to different groups, and
// the per-route authorizer takes only what no group can decide exactly within the authorizer quota.
import { settleConflicts, type Conflict } from './assign-access';
import { mergesForGroup } from './merge-candidates';
import type { ApiQuotas, CacheGroup, CompiledModel, CompiledRoute, MergeCandidate } from './model';
import { MAX_RESULT_BYTES, proveComponent, resultFrameBytes, type ComponentProof } from './policy-budget';
import {
  combineHoldings,
  grantHolding,
  holdingsOf,
  planForToken,
  resourceBytes,
  type Holding,
} from './policy-plan';

/** Name of the only token-cached authorizer, and the stem of each one's name when there are several. */
export const TOKEN_AUTHORIZER = 'scopegateToken';
/** Name of the per-route authorizer. */
export const ROUTE_AUTHORIZER = 'scopegateRoute';

/** Up to this many roles touching a group, every combination is sized over the group as a whole. */
const MAX_ENUMERATED_ROLES = 12;

interface Context {
  model: CompiledModel;
  /** Bytes of one component's part for one role combination, by component and role names. */
  parts: Map<string, number>;
  merges: readonly MergeCandidate[];
  /** Indexes into `merges` by the top-level resource of what they cover; wildcards over everything apart. */
  mergesByResource: Map<string, number[]>;
  strictMerges: number[];
  /** Routes every role together holds fully: the only ones a wildcard can ever cover. */
  holdable: ReadonlySet<number>;
  conflictsOf: Map<number, Conflict[]>;
  proofs: Map<string, ComponentProof>;
}

interface ComponentPart {
  members: Set<number>;
  /** Its route ids and wildcards: the memo key of its sizes. */
  key: string;
  merges: MergeCandidate[];
  proof: ComponentProof;
}

interface GroupProof {
  bytes: number;
  parts: ComponentPart[];
  merges: MergeCandidate[];
  roles: string[];
  /** The combination reaching `bytes`, when every combination was sized over the whole group. */
  worst?: string[];
}

/**
 * Routes linked by reach (one's glob matches the other's requests), by a wildcard that covers or reaches
 * both, or by their top-level resource form one component; by root id. Wildcards over everything (`strict`)
 * link nothing. Any grouping at least this coarse keeps results additive; a whole resource per component
 * keeps the bound tight (one role set's worst case for all of its routes at once).
 */
export function componentsOf(
  model: CompiledModel,
  members: ReadonlySet<number>,
  merges: readonly MergeCandidate[] = [],
): Map<number, number> {
  const parent = new Map<number, number>([...members].map((id) => [id, id]));
  const find = (id: number): number => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let at = id; at !== root;) [at, root] = [parent.get(at)!, (parent.set(at, root), root)];
    return root;
  };
  const link = (a: number, b: number): void => {
    if (members.has(a) && members.has(b)) parent.set(find(a), find(b));
  };
  for (const id of members) for (const other of model.analysis[id]!.reachFull) link(other, id);
  const byResource = new Map<string, number>();
  for (const id of members) {
    const key = unitKey(model.routes[id]!, 1);
    const first = byResource.get(key);
    if (first === undefined) byResource.set(key, id);
    else link(id, first);
  }
  for (const merge of merges) {
    if (merge.strict === true) continue;
    const ids = [...merge.covers, ...merge.alsoReaches].filter((id) => members.has(id));
    for (const id of ids.slice(1)) link(id, ids[0]!);
  }
  return new Map([...members].map((id) => [id, find(id)]));
}

function rolesTouching(model: CompiledModel, members: ReadonlySet<number>): string[] {
  return model.roles.filter((r) => r.grants.some((g) => members.has(g.route))).map((r) => r.name);
}

/** The wildcard candidates that can matter for a group: those over its top-level resources, in order. */
function candidatesFor(context: Context, members: ReadonlySet<number>): MergeCandidate[] {
  const resources = new Set([...members].map((id) => unitKey(context.model.routes[id]!, 1)));
  const indexes = [...context.strictMerges];
  for (const resource of resources) indexes.push(...(context.mergesByResource.get(resource) ?? []));
  return indexes.sort((a, b) => a - b).map((i) => context.merges[i]!);
}

/** A proven upper bound of the group's result over every role combination, with its parts. */
function proveGroup(context: Context, members: ReadonlySet<number>): GroupProof {
  const { model } = context;
  const merges = mergesForGroup(model, candidatesFor(context, members), members, context.holdable);
  const componentOf = componentsOf(model, members, merges);
  const byComponent = new Map<number, { members: Set<number>; merges: MergeCandidate[] }>();
  for (const id of [...members].sort((a, b) => a - b)) {
    const root = componentOf.get(id)!;
    if (!byComponent.has(root)) byComponent.set(root, { members: new Set(), merges: [] });
    byComponent.get(root)!.members.add(id);
  }
  // A wildcard over the whole group applies only when everything is fully held: the result is then one
  // resource, smaller than any part. Every other kept wildcard lies within one component.
  for (const merge of merges) {
    if (merge.strict !== true) byComponent.get(componentOf.get(merge.covers[0]!)!)!.merges.push(merge);
  }
  const parts: ComponentPart[] = [];
  let bytes = 0;
  for (const part of byComponent.values()) {
    // The same routes can keep other wildcards in another group (one reaching a route only that group has).
    const key = `${[...part.members].join(',')}|${part.merges.map((m) => m.resources.join(' ')).join(';')}`;
    let proof = context.proofs.get(key);
    if (!proof) context.proofs.set(key, (proof = proveComponent(model, part.members, part.merges)));
    parts.push({ ...part, key, proof });
    bytes += proof.bytes;
  }
  const roles = rolesTouching(model, members);
  const frame = resultFrameBytes(roles);
  const proof: GroupProof = { bytes: bytes + frame, parts, merges, roles };
  // The sum of each part's largest is sound but loose when different roles reach each part's largest: with
  // few roles, size every combination of the whole group instead (each part's size memoized).
  if (proof.bytes <= MAX_RESULT_BYTES || roles.length > MAX_ENUMERATED_ROLES) return proof;
  const exact = largestCombination(context, members, parts, merges, roles);
  return { ...proof, bytes: exact.bytes + frame, worst: exact.roles };
}

function largestCombination(
  context: Context,
  members: ReadonlySet<number>,
  parts: readonly ComponentPart[],
  merges: readonly MergeCandidate[],
  roles: readonly string[],
): { bytes: number; roles: string[] } {
  const { model } = context;
  const byName = new Map(model.roles.map((r) => [r.name, r]));
  const partOf = new Map<number, number>();
  parts.forEach((part, p) => part.members.forEach((id) => partOf.set(id, p)));
  // Each role's holdings per part, and the routes it fully holds, read once.
  const held = parts.map(() => new Map<number, Map<number, Holding>>());
  const fully = roles.map(() => new Set<number>());
  for (const [i, name] of roles.entries()) {
    for (const grant of byName.get(name)!.grants) {
      const p = partOf.get(grant.route);
      if (p === undefined) continue;
      const holding = grantHolding(grant);
      if (!held[p]!.has(i)) held[p]!.set(i, new Map());
      held[p]!.get(i)!.set(grant.route, holding);
      if (holding.full) fully[i]!.add(grant.route);
    }
  }
  const whole = merges.find((m) => m.strict === true);
  let worst = { bytes: 0, roles: [] as string[] };
  for (let mask = 1; mask < 1 << roles.length; mask++) {
    let bytes = 0;
    for (const [p, part] of parts.entries()) {
      const touching = [...held[p]!.keys()].filter((i) => mask & (1 << i));
      const key = `${part.key}#${touching.map((i) => roles[i]).join(' ')}`;
      let size = context.parts.get(key);
      if (size === undefined) {
        const holdings = touching.reduce<Map<number, Holding>>(
          (acc, i) => combineHoldings(acc, held[p]!.get(i)!),
          new Map(),
        );
        const plan = planForToken(model, { members: part.members, merges: part.merges }, holdings);
        size = [...plan.allow, ...plan.deny].reduce((sum, r) => sum + resourceBytes(r), 0);
        context.parts.set(key, size);
      }
      bytes += size;
    }
    if (bytes > worst.bytes && whole) {
      // Everything fully held: the wildcard over the whole group replaces every part.
      const union = new Set<number>();
      roles.forEach((_, i) => mask & (1 << i) && fully[i]!.forEach((id) => union.add(id)));
      if ([...members].every((id) => union.has(id)))
        bytes = whole.resources.reduce((sum, r) => sum + resourceBytes(r), 0);
    }
    if (bytes > worst.bytes) worst = { bytes, roles: roles.filter((_, i) => mask & (1 << i)) };
  }
  return worst;
}

/** Whether some conflict would lie entirely within the group. */
function hasConflict(context: Context, members: ReadonlySet<number>, added: readonly number[]): boolean {
  return added.some((id) =>
    (context.conflictsOf.get(id) ?? []).some((c) => c.routes.every((r) => members.has(r))),
  );
}

/**
 * Settles the conflicts left inside a group and moves routes per route until its proof fits 8 KB; `moved`
 * receives each moved route with the reason.
 */
function finishGroup(context: Context, members: Set<number>, moved: Map<number, string>): GroupProof {
  const { model } = context;
  const inside = new Set<Conflict>();
  for (const id of members)
    for (const c of context.conflictsOf.get(id) ?? [])
      if (c.routes.every((r) => members.has(r))) inside.add(c);
  for (const [id, reason] of settleConflicts([...inside])) {
    members.delete(id);
    moved.set(id, reason);
  }
  for (;;) {
    const proof = proveGroup(context, members);
    if (proof.bytes <= MAX_RESULT_BYTES) return proof;
    const worst = proof.parts.reduce((a, b) => (b.proof.bytes > a.proof.bytes ? b : a));
    const worstRoles = proof.worst ?? (worst.proof.exact ? worst.proof.roles : undefined);
    const within = proof.worst === undefined ? worst.members : members;
    // Largest Allows of the worst combination first: each route moved saves at least its own resource.
    let order = [...within];
    if (worstRoles !== undefined) {
      const held = [...holdingsOf(model, worstRoles).keys()].filter((id) => within.has(id));
      if (held.length > 0) order = held;
    }
    order.sort((a, b) => model.analysis[b]!.glob.length - model.analysis[a]!.glob.length || a - b);
    const roles = worstRoles?.join(', ') ?? 'some combination';
    let excess = proof.bytes - MAX_RESULT_BYTES;
    for (const id of order) {
      if (excess <= 0) break;
      members.delete(id);
      moved.set(id, `the token-cached result for roles ${roles} would exceed 8 KB`);
      excess -= resourceBytes(model.analysis[id]!.glob);
    }
  }
}

interface Piece {
  routes: number[];
  depth: number;
}

/** The resource a route belongs to at `depth` path segments, parameters alike: `/orders`, `/orders/{}`. */
function unitKey(route: CompiledRoute, depth: number): string {
  return route.segments
    .slice(0, depth)
    .map((s) => (s.kind === 'literal' ? s.value : '{}'))
    .join('/');
}

/** Splits routes by resource at `depth`, then each resource into layers no conflict lies within. */
function piecesOf(context: Context, routes: readonly number[], depth: number): Piece[] {
  const { model } = context;
  const units = new Map<string, number[]>();
  for (const id of routes) {
    const key = unitKey(model.routes[id]!, depth);
    if (!units.has(key)) units.set(key, []);
    units.get(key)!.push(id);
  }
  const pieces: Piece[] = [];
  for (const ids of units.values()) {
    const unit = new Set(ids);
    const layerOf = new Map<number, number>();
    const byDepth = [...ids].sort(
      (a, b) => model.routes[a]!.segments.length - model.routes[b]!.segments.length || a - b,
    );
    for (const id of byDepth) {
      const clashes = (context.conflictsOf.get(id) ?? []).filter((c) => c.routes.every((r) => unit.has(r)));
      let layer = 0;
      while (clashes.some((c) => c.routes.every((r) => r === id || layerOf.get(r) === layer))) layer++;
      layerOf.set(id, layer);
    }
    const layers = new Map<number, number[]>();
    for (const id of ids) {
      const layer = layerOf.get(id)!;
      if (!layers.has(layer)) layers.set(layer, []);
      layers.get(layer)!.push(id);
    }
    for (const layer of [...layers.keys()].sort((a, b) => a - b))
      pieces.push({ routes: layers.get(layer)!, depth });
  }
  return pieces;
}

/** Pieces small enough to share a group: a resource whose own proof exceeds 8 KB splits one level deeper. */
function fittingPieces(context: Context, routes: readonly number[], depth: number): Piece[] {
  const out: Piece[] = [];
  for (const piece of piecesOf(context, routes, depth)) {
    const deeper = piece.routes.some((id) => context.model.routes[id]!.segments.length > depth);
    if (deeper && proveGroup(context, new Set(piece.routes)).bytes > MAX_RESULT_BYTES)
      out.push(...fittingPieces(context, piece.routes, depth + 1));
    else out.push(piece);
  }
  return out;
}

interface Packing {
  bins: Set<number>[];
  /** Pieces no group within the quota could take, with the quota. */
  overflow: number[];
}

/**
 * First fit: each piece joins the first group it fits in (no conflict inside, proof within 8 KB). Out of
 * authorizers, it joins the first group whose proof it fits ignoring conflicts (those go per route), and a piece
 * that fits no group at all goes per route whole: cutting it route by route would cost more than it saves.
 */
function pack(context: Context, pieces: readonly Piece[], maxGroups: number): Packing {
  const { model } = context;
  interface Bin {
    members: Set<number>;
    /** Sum of its parts' largest sizes, its roles, and every route its routes' globs reach. */
    parts: number;
    roles: Set<string>;
    reached: Set<number>;
  }
  const reachOf = (ids: readonly number[]): Set<number> =>
    new Set(ids.flatMap((id) => model.analysis[id]!.reachFull));
  const bins: Bin[] = [];
  const overflow: number[] = [];
  for (const piece of pieces) {
    const alone = proveGroup(context, new Set(piece.routes));
    const pieceParts = alone.parts.reduce((sum, p) => sum + p.proof.bytes, 0);
    const pieceReach = reachOf(piece.routes);
    /** The joined group's parts, summed, when the piece fits in `bin`; undefined when it does not. */
    const partsWith = (bin: Bin, conflictFree: boolean): number | undefined => {
      const joined = new Set([...bin.members, ...piece.routes]);
      if (conflictFree && hasConflict(context, joined, piece.routes)) return undefined;
      // Linked by no glob, the two stay separate parts: the sum of the parts' largest bounds the result.
      const apart =
        piece.routes.every((id) => !bin.reached.has(id)) &&
        [...pieceReach].every((id) => !bin.members.has(id));
      const roles = [...new Set([...bin.roles, ...alone.roles])];
      if (apart && bin.parts + pieceParts + resultFrameBytes(roles) <= MAX_RESULT_BYTES) {
        return bin.parts + pieceParts;
      }
      const proof = proveGroup(context, joined);
      return proof.bytes <= MAX_RESULT_BYTES
        ? proof.parts.reduce((sum, p) => sum + p.proof.bytes, 0)
        : undefined;
    };
    const place = (conflictFree: boolean): { bin: Bin; parts: number } | undefined => {
      for (const bin of bins) {
        const parts = partsWith(bin, conflictFree);
        if (parts !== undefined) return { bin, parts };
      }
      return undefined;
    };
    let placed = place(true);
    if (!placed && bins.length < maxGroups) {
      const bin: Bin = { members: new Set(), parts: 0, roles: new Set(), reached: new Set() };
      bins.push(bin);
      placed = { bin, parts: pieceParts };
    }
    placed ??= place(false);
    if (!placed) {
      overflow.push(...piece.routes);
      continue;
    }
    const { bin } = placed;
    for (const id of piece.routes) bin.members.add(id);
    for (const id of pieceReach) bin.reached.add(id);
    for (const role of alone.roles) bin.roles.add(role);
    bin.parts = placed.parts;
  }
  return { bins: bins.map((bin) => bin.members), overflow };
}

interface Grouping {
  groups: { members: Set<number>; proof: GroupProof }[];
  moved: Map<number, string>;
}

function finish(context: Context, packing: Packing, quota: number): Grouping {
  const moved = new Map<number, string>();
  for (const id of packing.overflow) {
    moved.set(id, `no token-cached authorizer within the quota of ${quota} authorizers has room for it`);
  }
  const groups = packing.bins
    .map((bin) => new Set(bin))
    .map((members) => ({ members, proof: finishGroup(context, members, moved) }))
    .filter((g) => g.members.size > 0);
  return { groups, moved };
}

function groupName(
  model: CompiledModel,
  members: ReadonlySet<number>,
  taken: Set<string>,
  single: boolean,
): string {
  if (single) return TOKEN_AUTHORIZER;
  const first = model.routes[Math.min(...members)]!;
  const head = first.segments[0]!;
  const stem =
    head.kind === 'literal' ? head.value.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') : 'params';
  let name = `${TOKEN_AUTHORIZER}-${stem || 'root'}`;
  for (let n = 2; taken.has(name); n++) name = `${TOKEN_AUTHORIZER}-${stem || 'root'}-${n}`;
  taken.add(name);
  return name;
}

/**
 * Chooses the cache groups and writes them into `model`: `groups`, each route's `access`, `authorizer` and
 * `reason`, the reach lists restricted to each route's group, `maxResultBytes` and `grouping`.
 * `conflicts` are every conflict over all private routes; `merges` every wildcard candidate.
 */
export function assignCacheGroups(
  model: CompiledModel,
  conflicts: readonly Conflict[],
  merges: readonly MergeCandidate[],
  quotas: ApiQuotas,
): void {
  const everything = holdingsOf(
    model,
    model.roles.map((r) => r.name),
  );
  const holdable = new Set([...everything].filter(([, h]) => h.full).map(([id]) => id));
  const conflictsOf = new Map<number, Conflict[]>();
  for (const c of conflicts)
    for (const id of new Set(c.routes)) conflictsOf.set(id, [...(conflictsOf.get(id) ?? []), c]);
  const mergesByResource = new Map<string, number[]>();
  const strictMerges: number[] = [];
  for (const [i, merge] of merges.entries()) {
    if (merge.strict === true) strictMerges.push(i);
    else {
      const resource = unitKey(model.routes[merge.covers[0]!]!, 1);
      if (!mergesByResource.has(resource)) mergesByResource.set(resource, []);
      mergesByResource.get(resource)!.push(i);
    }
  }
  const context: Context = {
    model,
    parts: new Map(),
    merges,
    mergesByResource,
    strictMerges,
    holdable,
    conflictsOf,
    proofs: new Map(),
  };
  const privateIds = model.routes.filter((r) => r.access !== 'public').map((r) => r.id);

  // The per-route authorizer counts against the quota too.
  const maxGroups = Math.max(1, quotas.authorizers - 1);
  // One group, unless it is clearly over budget (then cutting it down route by route is wasted work).
  const whole = new Set(privateIds);
  const hopeless = maxGroups > 1 && proveGroup(context, whole).bytes > 2 * MAX_RESULT_BYTES;
  const single = hopeless ? undefined : finish(context, { bins: [whole], overflow: [] }, quotas.authorizers);
  let chosen = single;
  let grouping = 'one token-cached authorizer decides every token-cached route';
  if ((single === undefined || single.moved.size > 0) && maxGroups > 1) {
    const pieces = fittingPieces(context, privateIds, 1);
    let split = finish(context, pack(context, pieces, maxGroups), quotas.authorizers);
    if (split.moved.size > 0) {
      // Declaration order keeps neighbouring resources together; largest first packs tighter.
      const size = new Map(pieces.map((p) => [p, proveGroup(context, new Set(p.routes)).bytes]));
      const largestFirst = [...pieces].sort((a, b) => size.get(b)! - size.get(a)!);
      const tighter = finish(context, pack(context, largestFirst, maxGroups), quotas.authorizers);
      if (tighter.moved.size < split.moved.size) split = tighter;
    }
    if (single === undefined || split.moved.size < single.moved.size) {
      chosen = split;
      grouping =
        `${split.groups.length} token-cached authorizers, by top-level resource: ` +
        (single === undefined
          ? 'one result could exceed 8 KB more than twice over'
          : `one would leave ${single.moved.size} route${single.moved.size === 1 ? '' : 's'} to the per-route authorizer`);
    }
  }
  if (chosen === undefined) throw new TypeError('no grouping chosen'); // unreachable: maxGroups > 1 when hopeless

  const taken = new Set<string>();
  const ordered = [...chosen.groups].sort((a, b) => Math.min(...a.members) - Math.min(...b.members));
  model.groups = ordered.map(({ members, proof }): CacheGroup => {
    const name = groupName(model, members, taken, ordered.length === 1);
    const routes = [...members].sort((a, b) => a - b);
    for (const id of routes) Object.assign(model.routes[id]!, { access: 'token', authorizer: name });
    const paths = [...new Set(routes.map((id) => `/${model.routes[id]!.path.split('/')[1] ?? ''}`))];
    return { name, routes, roles: proof.roles, paths, merges: proof.merges, maxResultBytes: proof.bytes };
  });
  for (const [id, reason] of chosen.moved) {
    Object.assign(model.routes[id]!, { access: 'route', authorizer: ROUTE_AUTHORIZER, reason });
  }
  if (chosen.moved.size > 0) model.routeAuthorizer = ROUTE_AUTHORIZER;
  // Each token-cached route's reach, within its own group: the only routes its policy decides.
  for (const route of model.routes) {
    const analysis = model.analysis[route.id]!;
    const group = model.groups.find((g) => g.name === route.authorizer);
    const same = (id: number): boolean => group !== undefined && model.routes[id]!.authorizer === group.name;
    analysis.reachFull = analysis.reachFull.filter(same);
    if (analysis.reachBound) analysis.reachBound = analysis.reachBound.filter(same);
  }
  model.maxResultBytes = Math.max(0, ...model.groups.map((g) => g.maxResultBytes));
  model.grouping = grouping;
}
