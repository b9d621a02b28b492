// The compiled scope model: plain, JSON-serializable data shared by the authorizer, the gateway and index.ts.

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export type Method = (typeof METHODS)[number];

/**
 * Which kind of authorizer decides a route:
 * - `public`: none;
 * - `token`: a token-cached authorizer (one policy per token covers every route of that authorizer);
 * - `route`: the per-route authorizer (cache key: token, method and resource path).
 */
export type Access = 'public' | 'token' | 'route';

/** One segment of a path template: a literal, a `{name}` parameter or a greedy `{name+}` parameter. */
export type Segment =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface CompiledRoute {
  /** Index of this route in `CompiledModel.routes`. */
  id: number;
  method: Method;
  /** The path template as declared, e.g. `/users/{userId}`. */
  path: string;
  /** The path template split into segments; the root `/` is one empty literal segment. */
  segments: Segment[];
  function: string;
  access: Access;
  /**
   * Name of the API Gateway authorizer that decides the route (absent for public routes). Token-cached routes
   * with the same name share one cache entry per token.
   */
  authorizer?: string;
  /** Why the route needs the per-route authorizer (set only when `access` is `route`). */
  reason?: string;
  /** Where the route is declared. */
  line: number;
}

/** Parameter name -> claim name, e.g. `{ userId: 'sub' }`. An empty binding grants the route unconditionally. */
export type Binding = Record<string, string>;

/** How a role came to hold a grant: the pattern as written and the role that declares it. */
export interface GrantSource {
  role: string;
  pattern: string;
  line: number;
}

export interface RouteGrant {
  route: number;
  /**
   * Alternatives: the caller is granted the route when any one binding holds. An empty binding (`{}`) holds
   * always; when present it is the only alternative.
   */
  bindings: Binding[];
  via: GrantSource[];
}

export interface CompiledRole {
  name: string;
  description?: string;
  inherits: string[];
  /** Effective grants, inheritance resolved, ordered by route id. */
  grants: RouteGrant[];
}

/** A glob over `METHOD/path` (the part of an execute-api ARN after the stage) with claim placeholders. */
export type ResourcePart = string | { claim: string };

/**
 * A wildcard that covers a whole subtree when the caller holds its routes: those it reaches that the caller
 * does not hold are denied by their own globs, where that is exact and shorter.
 */
export interface MergeCandidate {
  resources: string[];
  /** Token-cached routes whose own Allow the merged resources replace. */
  covers: number[];
  /** Other token-cached routes the merged resources reach: each fully held, or denied where that is exact. */
  alsoReaches: number[];
  /** Applies only when every route it reaches is fully held (a wildcard over several components). */
  strict?: true;
}

/** Precomputed reach of each route's own wildcard, used to place explicit Deny statements. */
export interface RouteAnalysis {
  /** The route's resource glob, e.g. `GET/users/*`, with bound parameters kept as claim placeholders. */
  glob: string;
  /** Routes of the same token-cached authorizer (other than this one) whose requests the unbound glob matches. */
  reachFull: number[];
  /** The same for the glob with bound parameters as single segments; absent when no grant binds the route. */
  reachBound?: number[];
}

/**
 * A token-cached authorizer and the routes it decides. API Gateway keeps one cache per authorizer, so its
 * policy only has to be exact, and fit 8 KB, for its own routes.
 */
export interface CacheGroup {
  /** The authorizer's name (its OpenAPI security scheme), e.g. `scopegateToken`. */
  name: string;
  /** Route ids it decides, ascending. */
  routes: number[];
  /** Roles granting any of its routes: the only roles its policy depends on and its context names. */
  roles: string[];
  /** Top-level paths of its routes, e.g. `/orders`, for people reading `check` and the explorer. */
  paths: string[];
  /** Wildcards that replace Allows where a caller fully holds every route of the group they reach. */
  merges: MergeCandidate[];
  /** Proven upper bound of this authorizer's result for every role combination, in bytes. */
  maxResultBytes: number;
}

/** API Gateway quotas per REST API the model is checked against (defaults, or raised ones from scopes.yaml). */
export interface ApiQuotas {
  authorizers: number;
  resources: number;
}

export interface CompiledModel {
  version: 1;
  file: string;
  routes: CompiledRoute[];
  roles: CompiledRole[];
  /** Per route id. */
  analysis: RouteAnalysis[];
  /** The token-cached authorizers. */
  groups: CacheGroup[];
  /** Name of the per-route authorizer when any route needs it. */
  routeAuthorizer?: string;
  /** Why the routes are split the way they are, one sentence. */
  grouping: string;
  /** Bytes the largest token-cached authorizer result reaches for any role combination. */
  maxResultBytes: number;
  /** API Gateway resources (distinct path prefixes, `/` included) the API needs. */
  apiResources: number;
  quotas: ApiQuotas;
  /** Problems that do not stop a compile, e.g. a quota the model exceeds. */
  warnings: string[];
}

/** The caller as the authorizer knows it after verifying the token. */
export interface Caller {
  principalId: string;
  roles: string[];
  claims: Record<string, unknown>;
}

/**
 * What API Gateway asks: the method ARN (whose route names the token-cached authorizer asked) and, for the
 * per-route authorizer, the route.
 */
export interface AuthorizeRequest {
  methodArn: string;
  resourcePath?: string;
  httpMethod?: string;
}

export interface PolicyStatement {
  Action: 'execute-api:Invoke';
  Effect: 'Allow' | 'Deny';
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The Lambda authorizer result API Gateway expects. */
export interface AuthorizerResult {
  principalId: string;
  policyDocument: PolicyDocument;
  context: Record<string, string>;
}
