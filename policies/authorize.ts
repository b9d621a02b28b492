// The authorizer's answer for a verified caller: an exact IAM policy from the pre-compiled model.
import { boundValue } from './claim-values';
import { matchRoute } from './match-route';
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
  type PlanScope,
  type ResourceTemplate,
} from './policy-plan';

/** Role sets remembered per model; bounded because role sets come from tokens. */
const MAX_CACHED_PLANS = 512;

interface RoleSetEntry {
  holdings: Map<number, Holding>;
  /** Token-cached plans by authorizer name, built on first use. */
  tokenPlans: Map<string, Plan>;
  /** Per-route plans by route id, built on first use. */
  routePlans: Map<number, Plan>;
}

interface GroupIndex {
  scope: PlanScope;
  /** Roles its policy depends on: the only ones its context names. */
  roles: ReadonlySet<string>;
}

interface ModelIndex {
  roleNames: Set<string>;
  routeByKey: Map<string, number>;
  groups: Map<string, GroupIndex>;
  /** Roles granting each per-route route, by id, built on first use. */
  routeRoles: Map<number, ReadonlySet<string>>;
  roleSets: Map<string, RoleSetEntry>;
}

const indexes = new WeakMap<CompiledModel, ModelIndex>();

function indexOf(model: CompiledModel): ModelIndex {
  let index = indexes.get(model);
  if (!index) {
    index = {
      roleNames: new Set(model.roles.map((r) => r.name)),
      routeByKey: new Map(model.routes.map((r) => [`${r.method} ${r.path}`, r.id])),
      groups: new Map(
        model.groups.map((g) => [
          g.name,
          { scope: { members: new Set(g.routes), merges: g.merges }, roles: new Set(g.roles) },
        ]),
      ),
      routeRoles: new Map(),
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
    entry = { holdings: holdingsOf(model, roles), tokenPlans: new Map(), routePlans: new Map() };
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
 * Without `resourcePath` it is the answer of the token-cached authorizer that decides the route `methodArn`
 * names: API Gateway caches it per token and applies it to every later request of that authorizer's routes,
 * so it decides all of them, not just the one asked. With `resourcePath` and `httpMethod` it is the per-route
 * authorizer's answer for that route alone. A route no such authorizer decides gets a policy denying
 * everything. The context names the caller's roles that the deciding authorizer's routes depend on.
 *
 * @example
 * authorize(model, { principalId: 'u1', roles: ['User'], claims: { sub: 'u1' } },
 *   { methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/messages' });
 */
export function authorize(model: CompiledModel, caller: Caller, request: AuthorizeRequest): AuthorizerResult {
  const index = indexOf(model);
  const roles = [...new Set(caller.roles.filter((r) => index.roleNames.has(r)))].sort();
  const arn = parseMethodArn(request.methodArn);
  const refuse = (): AuthorizerResult => ({
    principalId: caller.principalId,
    policyDocument: denyEverything,
    context: { sub: caller.principalId, roles: '' },
  });
  if (!arn) return refuse();

  const entry = roleSetEntry(model, index, roles);
  let plan: Plan;
  let relevant: (role: string) => boolean;
  if (request.resourcePath === undefined) {
    const route = matchRoute(model, arn.method, arn.path)?.route;
    const group = route?.access === 'token' ? index.groups.get(route.authorizer!) : undefined;
    if (!route || !group) return refuse();
    plan = entry.tokenPlans.get(route.authorizer!)!;
    if (!plan)
      entry.tokenPlans.set(route.authorizer!, (plan = planForToken(model, group.scope, entry.holdings)));
    relevant = (role) => group.roles.has(role);
  } else {
    const routeId = index.routeByKey.get(`${request.httpMethod ?? arn.method} ${request.resourcePath}`);
    if (routeId === undefined || model.routes[routeId]!.access !== 'route') return refuse();
    plan = routePlan(model, entry, routeId);
    let holders = index.routeRoles.get(routeId);
    if (!holders) {
      holders = new Set(
        model.roles.filter((r) => r.grants.some((g) => g.route === routeId)).map((r) => r.name),
      );
      index.routeRoles.set(routeId, holders);
    }
    relevant = (role) => holders.has(role);
  }
  return {
    principalId: caller.principalId,
    policyDocument: renderPolicy(arn.resourcePrefix, plan, caller.claims),
    context: { sub: caller.principalId, roles: roles.filter(relevant).join(' ') },
  };
}
