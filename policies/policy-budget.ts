// Proves that a token-cached authorizer's result fits API Gateway's 8 KB for every role combination.
//
// The proof never samples. A group's routes split into components: routes linked because one's glob reaches
// another, one wildcard covers both, or they share a top-level resource. A policy is the sum of its components' parts, and each part depends
// only on what the caller holds in that component, so the largest result is at most the sum of each
// component's largest part. A component's largest part is found by enumerating every distinct holding the
// roles that touch it can produce (few, since roles nest or touch few components); where there are too many,
// a sound bound (every Allow and every Deny at once) stands in.
import { MAX_BOUND_VALUE_LENGTH, MAX_CONTEXT_ID_LENGTH } from './claim-values';
import type { CompiledModel, MergeCandidate } from './model';
import {
  allowsFor,
  combineHoldings,
  grantHolding,
  planForToken,
  resourceBytes,
  type Holding,
  type PlanScope,
} from './policy-plan';

/** API Gateway's limit for a Lambda authorizer result (policy, principal and context). */
export const MAX_RESULT_BYTES = 8192;

/** Distinct holdings enumerated per component before the sound bound stands in. */
const MAX_ENUMERATED_HOLDINGS = 2048;

/**
 * Bytes of a result with empty Allow and Deny lists, principal and context at their longest: what every
 * result adds to its resources. The context names the caller's roles among `roles` (the group's).
 */
export function resultFrameBytes(roles: readonly string[]): number {
  const longest = 'x'.repeat(MAX_BOUND_VALUE_LENGTH);
  const id = 'i'.repeat(MAX_CONTEXT_ID_LENGTH);
  const statement = (Effect: string) => ({ Action: 'execute-api:Invoke', Effect, Resource: [] });
  return JSON.stringify({
    principalId: longest,
    policyDocument: { Version: '2012-10-17', Statement: [statement('Allow'), statement('Deny')] },
    context: { sub: longest, roles: roles.join(' '), clientId: id, tokenId: id },
  }).length;
}

/** A role's holdings restricted to some routes. */
function roleHoldings(model: CompiledModel, role: number, within: ReadonlySet<number>): Map<number, Holding> {
  const out = new Map<number, Holding>();
  for (const grant of model.roles[role]!.grants)
    if (within.has(grant.route)) out.set(grant.route, grantHolding(grant));
  return out;
}

function holdingKey(holdings: ReadonlyMap<number, Holding>): string {
  return [...holdings.entries()]
    .sort(([x], [y]) => x - y)
    .map(([id, h]) =>
      h.full
        ? `${id}`
        : `${id}:${[...new Set(h.bindings.map((b) => JSON.stringify(Object.entries(b).sort())))].sort().join('|')}`,
    )
    .join(',');
}

export interface ComponentProof {
  /** The largest sum of resource bytes any role combination gets for this component. */
  bytes: number;
  /** A role combination reaching it (empty when the sound bound stood in). */
  roles: string[];
  /** Whether every distinct holding was enumerated (otherwise the sound bound stood in). */
  exact: boolean;
}

/** The largest part of a policy `component` can contribute, over every role combination. */
export function proveComponent(
  model: CompiledModel,
  component: ReadonlySet<number>,
  merges: readonly MergeCandidate[],
): ComponentProof {
  const touching = model.roles
    .map((role, i) => ({ i, name: role.name, holdings: roleHoldings(model, i, component) }))
    .filter((r) => r.holdings.size > 0);
  const scope: PlanScope = { members: component, merges };
  const seen = new Map<string, { holdings: Map<number, Holding>; roles: string[] }>([
    ['', { holdings: new Map(), roles: [] }],
  ]);
  let exact = true;
  for (const role of touching) {
    for (const { holdings, roles } of [...seen.values()]) {
      const next = combineHoldings(holdings, role.holdings);
      const key = holdingKey(next);
      if (!seen.has(key)) seen.set(key, { holdings: next, roles: [...roles, role.name] });
    }
    if (seen.size > MAX_ENUMERATED_HOLDINGS) {
      exact = false;
      break;
    }
  }
  if (!exact) return { bytes: soundBound(model, component, touching), roles: [], exact };
  let worst: ComponentProof = { bytes: 0, roles: [], exact };
  for (const { holdings, roles } of seen.values()) {
    const plan = planForToken(model, scope, holdings);
    const bytes = [...plan.allow, ...plan.deny].reduce((sum, r) => sum + resourceBytes(r), 0);
    if (bytes > worst.bytes) worst = { bytes, roles, exact };
  }
  return worst;
}

/** Every Allow any role can hold and every Deny at once: no combination's part is larger. */
function soundBound(
  model: CompiledModel,
  component: ReadonlySet<number>,
  touching: readonly { holdings: Map<number, Holding> }[],
): number {
  const all = touching.reduce<Map<number, Holding>>((acc, r) => combineHoldings(acc, r.holdings), new Map());
  let bytes = 0;
  for (const id of component) {
    const glob = resourceBytes(model.analysis[id]!.glob);
    const holding = all.get(id);
    const bound = holding && !holding.full ? allowsFor(model, id, holding) : [];
    bytes +=
      Math.max(
        glob,
        bound.reduce((sum, r) => sum + resourceBytes(r), 0),
      ) + glob;
  }
  return bytes;
}
