// Property: on large API models, the results API Gateway caches per (authorizer, token) decide every request
// as the model's own grant patterns say, checked by an independent IAM evaluator.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  authorize,
  compileScopes,
  matchRoute,
  type CompiledModel,
  type PolicyDocument,
} from '../../policies';
import { nestedApiSpec, scopesYaml, type ApiSpec } from '../support/api-models';
import { compiledApi, LARGE_APIS, type LargeApi } from '../support/compiled-api-models';
import { iamAllows } from '../support/iam-oracle';
import { specGrants } from '../support/spec-grants';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/';
// Few values, so claims often equal the path's parameters and bound grants are met.
const VALUES = ['u1', 'acme'];

interface Request {
  route: number;
  params: Record<string, string>;
  path: string;
}

const requestArb = (model: CompiledModel): fc.Arbitrary<Request> =>
  fc
    .record({
      route: fc.nat({ max: model.routes.length - 1 }),
      values: fc.array(fc.constantFrom(...VALUES), { minLength: 8, maxLength: 8 }),
    })
    .map(({ route, values }) => {
      const params: Record<string, string> = {};
      const parts = model.routes[route]!.segments.map((s, i) => {
        if (s.kind === 'literal') return s.value;
        params[s.name] = values[i]!;
        return values[i]!;
      });
      return { route, params, path: `/${parts.join('/')}` };
    });

/** Callers with few roles, many roles, or only roles that hold routes through a binding. */
const callerArb = (roles: readonly string[], boundRoles: readonly string[]) =>
  fc.record({
    roles: fc.oneof(
      fc.subarray([...roles], { minLength: 1, maxLength: 3 }),
      fc.subarray([...roles, 'unknown-scope']),
      ...(boundRoles.length > 0 ? [fc.subarray([...boundRoles], { minLength: 1 })] : []),
    ),
    sub: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
    org: fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
  });

type Seen = { checked: number; allowed: number; denied: number; perRoute: number; bound: number };

/** Runs the property on one model; returns what it decided, so the caller can check its coverage. */
function checkModel(spec: ApiSpec, model: CompiledModel, numRuns: number): Seen {
  const seen: Seen = { checked: 0, allowed: 0, denied: 0, perRoute: 0, bound: 0 };
  const roleNames = model.roles.map((r) => r.name);
  const boundRoles = roleNames.filter((name) => spec.roles[name]!.grants.some((g) => g.includes('=')));
  fc.assert(
    fc.property(
      callerArb(roleNames, boundRoles),
      fc.array(requestArb(model), { minLength: 10, maxLength: 20 }),
      (caller, requests) => {
        const claims = { sub: caller.sub, org: caller.org };
        const who = { principalId: caller.sub ?? 'anonymous', roles: caller.roles, claims };
        // API Gateway's caches for this token: one per token-cached authorizer, one per route for the other.
        const tokenPolicies = new Map<string, PolicyDocument>();
        const routePolicies = new Map<number, PolicyDocument>();
        for (const request of requests) {
          const route = model.routes[request.route]!;
          const methodArn = `${PREFIX}${route.method}${request.path}`;
          expect(matchRoute(model, route.method, request.path)?.route.id).to.equal(route.id);
          let policy: PolicyDocument;
          if (route.access === 'token') {
            const name = route.authorizer!;
            if (!tokenPolicies.has(name))
              tokenPolicies.set(name, authorize(model, who, { methodArn }).policyDocument);
            policy = tokenPolicies.get(name)!;
          } else {
            const asked = { methodArn, resourcePath: route.path, httpMethod: route.method };
            if (!routePolicies.has(route.id))
              routePolicies.set(route.id, authorize(model, who, asked).policyDocument);
            policy = routePolicies.get(route.id)!;
          }
          const key = `${route.method} ${route.path}`;
          const want = specGrants(spec, caller.roles, claims, key, request.params);
          const got = iamAllows(policy, methodArn);
          seen.checked++;
          if (want) seen.allowed++;
          else seen.denied++;
          if (route.access === 'route') seen.perRoute++;
          if (want && !specGrants(spec, caller.roles, {}, key, request.params)) seen.bound++;
          if (got !== want)
            expect.fail(
              `${route.method} ${request.path} (${route.authorizer}) for [${caller.roles.join(', ')}] ` +
                `claims ${JSON.stringify(claims)}: policy says ${got}, scopes.yaml says ${want}`,
            );
        }
      },
    ),
    { numRuns },
  );
  return seen;
}

describe('authorize at scale (property)', () => {
  const names = Object.keys(LARGE_APIS) as LargeApi[];
  before(function () {
    this.timeout(60000);
    names.forEach((name) => compiledApi(name));
  });

  for (const name of names) {
    it(`decides every request on ${name} as its grants say, one cached result per authorizer and token`, function () {
      this.timeout(30000);
      const { spec, model } = compiledApi(name);
      const seen = checkModel(spec, model, 40);
      expect(seen.checked).to.be.greaterThan(500);
      expect(seen.allowed).to.be.greaterThan(30);
      expect(seen.denied).to.be.greaterThan(30);
    });
  }

  it('decides exactly on nested projects whose org-bound members push routes to the per-route authorizer', function () {
    this.timeout(60000);
    // A `member` scope bound to the org claim on every project: more than nine groups could decide in 8 KB.
    const spec = nestedApiSpec(24, 3);
    const model = compileScopes(scopesYaml(spec), 'scopes.yaml');
    expect(model.routes.some((r) => r.access === 'route')).to.equal(true);
    const seen = checkModel(spec, model, 40);
    expect(seen.perRoute).to.be.greaterThan(20);
    expect(seen.bound).to.be.greaterThan(5);
    expect(seen.allowed).to.be.greaterThan(50);
    expect(seen.denied).to.be.greaterThan(50);
  });
});
