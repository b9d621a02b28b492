// The authorizer's answer for a verified caller: an exact IAM policy from the pre-compiled model.
import { boundValue } from './claim-values';
import { MAX_RESOURCE_ARN_LENGTH, parseMethodArn } from './method-arn';
import type {
  AuthorizeRequest,
  AuthorizerResult,
  Caller,
  CompiledModel,
  PolicyDocument,
  PolicyStatement,
} from './model';
import {
  holdingsOf,
  planForRoute,
  planForToken,
  type Holding,
  type Plan,
  type ResourceTemplate,
} from './policy-plan';

/** Role sets remembered per model; bounded because role sets come from tokens. */
const MAX_CACHED_PLANS = 512;

interface RoleSetEntry {
  holdings: Map<number, Holding>;
  tokenPlan?: Plan;
  /** Per-route plans by route id, built on first use. */
  routePlans: Map<number, Plan>;
}

interface ModelIndex {
  roleNames: Set<string>;
  routeByKey: Map<string, number>;
  roleSets: Map<string, RoleSetEntry>;
}

const indexes = new WeakMap<CompiledModel, ModelIndex>();

function indexOf(model: CompiledModel): ModelIndex {
  let index = indexes.get(model);
  if (!index) {
    index = {
      roleNames: new Set(model.roles.map((r) => r.name)),
      routeByKey: new Map(model.routes.map((r) => [`${r.method} ${r.path}`, r.id])),
      roleSets: new Map(),
    };
    indexes.set(model, index);
  }
  return index;
}

function roleSetEntry(model: CompiledModel, index: ModelIndex, roles: string[]): RoleSetEntry {
  const key = roles.join(' ');
  let entry = index.roleSets.get(key);
  if (!entry) {
    entry = { holdings: holdingsOf(model, roles), routePlans: new Map() };
    if (index.roleSets.size >= MAX_CACHED_PLANS) index.roleSets.delete(index.roleSets.keys().next().value!);
    index.roleSets.set(key, entry);
  }
  return entry;
}

function routePlan(model: CompiledModel, entry: RoleSetEntry, routeId: number): Plan {
  let plan = entry.routePlans.get(routeId);
  if (!plan) entry.routePlans.set(routeId, (plan = planForRoute(model, routeId, entry.holdings)));
  return plan;
}

/** Fills in claim values; a resource whose claim is missing or unsafe is dropped (no grant through it). */
function render(
  prefix: string,
  template: ResourceTemplate,
  claims: Record<string, unknown>,
): string | undefined {
  if (typeof template === 'string') return prefix + template;
  let out = prefix;
  for (const part of template) {
    if (typeof part === 'string') out += part;
    else {
      const value = boundValue(claims[part.claim]);
      if (value === undefined) return undefined;
      out += value;
    }
  }
  return out.length <= MAX_RESOURCE_ARN_LENGTH ? out : undefined;
}

/** The policy document for a plan under one ARN prefix and the caller's claims. */
export function renderPolicy(prefix: string, plan: Plan, claims: Record<string, unknown>): PolicyDocument {
  const allow = new Set<string>();
  for (const template of plan.allow) {
    const resource = render(prefix, template, claims);
    if (resource !== undefined) allow.add(resource);
  }
  const statements: PolicyStatement[] = [];
  if (allow.size === 0) {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${prefix}*`] });
  } else {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...allow] });
    if (plan.deny.length > 0) {
      statements.push({
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        Resource: plan.deny.map((d) => prefix + d),
      });
    }
  }
  return { Version: '2012-10-17', Statement: statements };
}

const denyEverything: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['*'] }],
};

/**
 * The authorizer result for a verified caller.
 *
 * Without `resourcePath` it is the token-cached authorizer's answer: API Gateway caches it per token and applies
 * it to every later request with that token, so it decides every token-cached route, not just the one asked.
 * With `resourcePath` and `httpMethod` it is the per-route authorizer's answer for that route alone.
 *
 * @example
 * authorize(model, { principalId: 'u1', roles: ['User'], claims: { sub: 'u1' } },
 *   { methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/messages' });
 */
export function authorize(model: CompiledModel, caller: Caller, request: AuthorizeRequest): AuthorizerResult {
  const index = indexOf(model);
  const roles = [...new Set(caller.roles.filter((r) => index.roleNames.has(r)))].sort();
  const context = { sub: caller.principalId, roles: roles.join(' ') };
  const arn = parseMethodArn(request.methodArn);
  if (!arn) return { principalId: caller.principalId, policyDocument: denyEverything, context };

  const entry = roleSetEntry(model, index, roles);
  let plan: Plan;
  if (request.resourcePath === undefined) {
    plan = entry.tokenPlan ??= planForToken(model, entry.holdings);
  } else {
    const routeId = index.routeByKey.get(`${request.httpMethod ?? arn.method} ${request.resourcePath}`);
    plan =
      routeId === undefined || model.routes[routeId]!.access !== 'route'
        ? { allow: [], deny: [] }
        : routePlan(model, entry, routeId);
  }
  return {
    principalId: caller.principalId,
    policyDocument: renderPolicy(arn.prefix, plan, caller.claims),
    context,
  };
}
