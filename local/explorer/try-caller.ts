// "Try a caller": which routes a token may call, decided by the real authorizer and evaluated as API Gateway does.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { CellKind } from '../../policies/access-matrix';
import { MAX_RESULT_BYTES } from '../../policies/policy-budget';
import type { CompiledModel, CompiledRoute } from '../../policies/model';
import { acceptAuthorizerResult, type AcceptedResult } from '../authorizer-result';
import type { LocalAuthorizer } from '../gateway-authorizer';
import { evaluatePolicy, type Decision } from '../iam-evaluate';
import { methodArn, type ApiIdentity } from '../method-arn';
import { buildRequestAuthorizerEvent } from '../proxy-event';

export interface CallerRoute {
  route: number;
  method: string;
  path: string;
  kind: CellKind;
  /** The request paths tried: with the caller's own claim values, and with someone else's. */
  tried: { path: string; decision: Decision | 'public' }[];
}

/** One token-cached authorizer's answer: what API Gateway caches for this token and that authorizer. */
export interface CachedResult {
  authorizer: string;
  policyDocument: unknown;
  /** Bytes of the whole authorizer result, against API Gateway's budget. */
  resultBytes: number;
}

export interface CallerReport {
  principalId: string;
  /** A name the token carries (`preferred_username` or `username`), for showing instead of the id. */
  name?: string;
  roles: string[];
  context: Record<string, string>;
  /** The largest of `results`: the policy closest to the budget. */
  policyDocument: unknown;
  resultBytes: number;
  budgetBytes: number;
  /** Every token-cached authorizer's answer, in the model's order. */
  results: CachedResult[];
  routes: CallerRoute[];
}

export type CallerOutcome =
  { ok: true; report: CallerReport } | { ok: false; status: 401 | 502; message: string };

const OTHER_VALUE = 'someone-else';
const SAMPLE_VALUE = 'example';

/** Parameter -> claim, for every binding any role holds on the route. */
function boundClaims(model: CompiledModel, route: CompiledRoute): Map<string, string> {
  const out = new Map<string, string>();
  for (const role of model.roles) {
    for (const binding of role.grants.find((grant) => grant.route === route.id)?.bindings ?? []) {
      for (const [param, claim] of Object.entries(binding)) out.set(param, claim);
    }
  }
  return out;
}

/** A concrete path for a template: bound parameters get `own(param)`, the rest a sample value. */
function samplePath(
  route: CompiledRoute,
  value: (param: string) => string,
): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const parts = route.segments.map((segment) => {
    if (segment.kind === 'literal') return segment.value;
    const text = segment.kind === 'greedy' ? `${value(segment.name)}/more` : value(segment.name);
    params[segment.name] = text;
    return encodeURIComponent(text).replace(/%2F/g, '/');
  });
  return { path: `/${parts.join('/')}`.replace(/^\/\//, '/'), params };
}

function kindOf(decisions: Decision[]): CellKind {
  if (decisions.every((decision) => decision === 'Allowed')) return 'allowed';
  return decisions[0] === 'Allowed' ? 'own' : 'denied';
}

/**
 * Runs the stack's authorizer for `token` as the gateway would: the TOKEN entry point once (its policy is cached
 * per token and decides every token-cached route), the REQUEST entry point for each per-route route; then
 * evaluates each answer against concrete method ARNs with the IAM evaluator.
 */
export async function tryCaller(
  model: CompiledModel,
  authorizer: LocalAuthorizer,
  api: ApiIdentity,
  token: string,
): Promise<CallerOutcome> {
  const authorization = `Bearer ${token}`;
  // The TOKEN entry point once per token-cached authorizer, asked for one of its own routes.
  const answers = new Map<string, { answer: unknown; accepted: AcceptedResult }>();
  for (const group of model.groups) {
    const first = model.routes[group.routes[0]!]!;
    let answer: unknown;
    try {
      answer = await authorizer.handleToken({
        type: 'TOKEN',
        authorizationToken: authorization,
        methodArn: methodArn(api, first.method, samplePath(first, () => SAMPLE_VALUE).path),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message === 'Unauthorized')
        return { ok: false, status: 401, message: 'The authorizer refused this token: 401 Unauthorized.' };
      return { ok: false, status: 502, message: `The authorizer failed: ${message}` };
    }
    const accepted = acceptAuthorizerResult(answer);
    if ('malformed' in accepted)
      return { ok: false, status: 502, message: `Malformed authorizer result: ${accepted.malformed}` };
    answers.set(group.name, { answer, accepted });
  }
  const results: CachedResult[] = [...answers].map(([name, { answer }]) => ({
    authorizer: name,
    // As returned (the accepted copy is normalized for evaluation).
    policyDocument: (answer as { policyDocument: unknown }).policyDocument,
    resultBytes: Buffer.byteLength(JSON.stringify(answer)),
  }));
  const largest = results.reduce<CachedResult | undefined>(
    (a, b) => (a === undefined || b.resultBytes > a.resultBytes ? b : a),
    undefined,
  );
  const first = answers.values().next().value?.accepted;
  // The authorizer verified the token: its claims are now safe to read for the sample paths.
  const claims = decodeJwt(token) as Record<string, unknown>;
  const routes: CallerRoute[] = [];
  for (const route of model.routes) {
    const bound = boundClaims(model, route);
    const ownValue = (param: string): string => {
      const claim = bound.get(param);
      const value = claim === undefined ? undefined : claims[claim];
      return typeof value === 'string' && value !== '' ? value : SAMPLE_VALUE;
    };
    const candidates = [samplePath(route, ownValue)];
    if (bound.size > 0)
      candidates.push(samplePath(route, (param) => (bound.has(param) ? OTHER_VALUE : ownValue(param))));
    if (route.access === 'public') {
      routes.push({
        route: route.id,
        method: route.method,
        path: route.path,
        kind: 'public',
        tried: candidates.map(({ path }) => ({ path, decision: 'public' as const })),
      });
      continue;
    }
    const tried: CallerRoute['tried'] = [];
    for (const candidate of candidates) {
      const arn = methodArn(api, route.method, candidate.path);
      let decision: Decision;
      if (route.access === 'token') {
        const cached = answers.get(route.authorizer!)!.accepted;
        decision = evaluatePolicy(cached.policyDocument, 'execute-api:Invoke', arn);
      } else {
        decision = await perRouteDecision(authorizer, api, route, candidate, authorization, arn);
      }
      tried.push({ path: candidate.path, decision });
    }
    routes.push({
      route: route.id,
      method: route.method,
      path: route.path,
      kind: kindOf(tried.map((t) => t.decision as Decision)),
      tried,
    });
  }
  const name = [claims.preferred_username, claims.username].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  return {
    ok: true,
    report: {
      principalId: first?.principalId ?? '',
      ...(name === undefined ? {} : { name }),
      // Each authorizer's context names the roles its routes depend on: together, every role that counts.
      roles: [
        ...new Set(
          [...answers.values()].flatMap(({ accepted }) => (accepted.context.roles ?? '').split(' ')),
        ),
      ]
        .filter(Boolean)
        .sort(),
      context: first?.context ?? {},
      policyDocument: largest?.policyDocument ?? null,
      resultBytes: largest?.resultBytes ?? 0,
      budgetBytes: MAX_RESULT_BYTES,
      results,
      routes,
    },
  };
}

async function perRouteDecision(
  authorizer: LocalAuthorizer,
  api: ApiIdentity,
  route: CompiledRoute,
  candidate: { path: string; params: Record<string, string> },
  authorization: string,
  arn: string,
): Promise<Decision> {
  const event = buildRequestAuthorizerEvent(
    api,
    {
      method: route.method,
      path: candidate.path,
      query: '',
      rawHeaders: ['Authorization', authorization],
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
    },
    {
      resourcePath: route.path,
      pathParameters: candidate.params,
      requestId: randomUUID(),
      requestTime: Date.now(),
    },
    arn,
  );
  try {
    const accepted = acceptAuthorizerResult(await authorizer.handleRequest(event));
    return 'malformed' in accepted
      ? 'ExplicitlyDenied'
      : evaluatePolicy(accepted.policyDocument, 'execute-api:Invoke', arn);
  } catch {
    // A token the TOKEN entry point accepted but the REQUEST one refuses (revoked meanwhile): no access.
    return 'ExplicitlyDenied';
  }
}
