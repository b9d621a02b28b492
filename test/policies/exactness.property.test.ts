// Property: for random models and callers, the policies API Gateway caches decide every request as scopes.yaml says.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  authorize,
  compileScopes,
  matchRoute,
  ScopesError,
  type CompiledModel,
  type PolicyDocument,
} from '../../policies';
import { iamAllows } from '../support/iam-oracle';

type Token = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy' };
interface TestRoute {
  method: string;
  tokens: Token[];
}
interface TestPattern {
  method: string;
  tokens: Token[];
  subtree: boolean;
  bindings: Record<string, string>;
}
interface TestModel {
  /** The authorizer quota: 2 leaves one token-cached authorizer, so conflicts go per route. */
  authorizers: number;
  routes: TestRoute[];
  roles: { name: string; patterns: TestPattern[]; inherits: string[] }[];
}

const LITERALS = ['a', 'b', 'me', 'v'];
const VALUES = ['a', 'b', 'me', 'v', 'u1'];
const CLAIM_VALUES = ['a', 'me', 'u1', 'v', 'x*', 'v/w', 'a?'];
const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:api1/prod/';
const SAFE = /^[A-Za-z0-9._~@:+=,-]{1,128}$/;

const text = (t: Token): string =>
  t.kind === 'literal' ? t.value : t.kind === 'param' ? `{${t.name}}` : '{rest+}';
const pathOf = (tokens: Token[]): string => `/${tokens.map(text).join('/')}`;

const tokenAt = (depth: number, last: boolean): fc.Arbitrary<Token> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(...LITERALS).map((value): Token => ({ kind: 'literal', value })),
    },
    { weight: 2, arbitrary: fc.constant<Token>({ kind: 'param', name: `p${depth}` }) },
    ...(last ? [{ weight: 1, arbitrary: fc.constant<Token>({ kind: 'greedy' }) }] : []),
  );

const routeArb: fc.Arbitrary<TestRoute> = fc
  .tuple(fc.constantFrom('GET', 'POST', 'DELETE'), fc.integer({ min: 1, max: 3 }))
  .chain(([method, length]) =>
    fc
      .tuple(...Array.from({ length }, (_, i) => tokenAt(i, i === length - 1)))
      .map((tokens) => ({ method, tokens })),
  );

/** A grant pattern derived from a route: exact or a `/**` prefix, some parameters bound to claims. */
const patternArb = (routes: TestRoute[]): fc.Arbitrary<TestPattern> =>
  fc
    .record({
      index: fc.nat({ max: routes.length - 1 }),
      subtree: fc.boolean(),
      cut: fc.nat({ max: 3 }),
      anyMethod: fc.boolean(),
      binds: fc.array(fc.constantFrom(undefined, 'sub', 'org'), { minLength: 3, maxLength: 3 }),
    })
    .map(({ index, subtree, cut, anyMethod, binds }) => {
      const route = routes[index]!;
      const tokens = subtree ? route.tokens.slice(0, Math.min(cut, route.tokens.length)) : route.tokens;
      const bindings: Record<string, string> = {};
      tokens.forEach((t, i) => {
        if (t.kind === 'param' && binds[i]) bindings[t.name] = binds[i];
      });
      return { method: subtree && anyMethod ? '*' : route.method, tokens, subtree, bindings };
    });

const modelArb: fc.Arbitrary<TestModel> = fc
  .uniqueArray(routeArb, {
    minLength: 2,
    maxLength: 9,
    selector: (r) => `${r.method} ${pathOf(r.tokens).replace(/\{p\d\}/g, '{}')}`,
  })
  .chain((routes) =>
    fc
      .tuple(
        fc.array(patternArb(routes), { minLength: 1, maxLength: 4 }),
        fc.array(patternArb(routes), { minLength: 0, maxLength: 4 }),
        fc.array(patternArb(routes), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.constantFrom(2, 10),
      )
      .map(([r0, r1, r2, inherit, authorizers]) => ({
        authorizers,
        routes,
        roles: [
          { name: 'R0', patterns: r0, inherits: [] },
          { name: 'R1', patterns: r1, inherits: inherit ? ['R0'] : [] },
          { name: 'R2', patterns: r2, inherits: [] },
        ],
      })),
  );

function patternMatches(p: TestPattern, r: TestRoute): boolean {
  if (p.method !== '*' && p.method !== r.method) return false;
  if (p.subtree ? r.tokens.length < p.tokens.length : r.tokens.length !== p.tokens.length) return false;
  return p.tokens.every((t, i) => JSON.stringify(t) === JSON.stringify(r.tokens[i]));
}

function patternText(p: TestPattern): string {
  const parts = p.tokens.map((t) =>
    t.kind === 'param' && p.bindings[t.name] ? `{${t.name}=${p.bindings[t.name]}}` : text(t),
  );
  const path = p.subtree ? (parts.length === 0 ? '/**' : `/${parts.join('/')}/**`) : `/${parts.join('/')}`;
  return `'${p.method} ${path}'`;
}

function toYaml(m: TestModel): string {
  const granted = m.routes.filter((r) =>
    m.roles.some((role) => role.patterns.some((p) => patternMatches(p, r))),
  );
  const publicRoutes = m.routes.filter((r) => !granted.includes(r));
  const lines = [
    'version: 1',
    `quotas: { authorizers: ${m.authorizers} }`,
    'routes:',
    ...m.routes.map((r) => `  ${r.method} ${pathOf(r.tokens)}: fn`),
  ];
  if (publicRoutes.length > 0)
    lines.push('public:', ...publicRoutes.map((r) => `  - ${r.method} ${pathOf(r.tokens)}`));
  lines.push('roles:');
  for (const role of m.roles) {
    lines.push(
      `  ${role.name}:`,
      `    inherits: [${role.inherits.join(', ')}]`,
      `    grants: [${role.patterns.map(patternText).join(', ')}]`,
    );
  }
  return lines.join('\n');
}

/** The decision scopes.yaml states, computed from the test's own reading of the patterns. */
function expected(
  m: TestModel,
  held: string[],
  claims: Record<string, unknown>,
  route: TestRoute,
  params: Record<string, string>,
): boolean {
  const all = new Set(held);
  for (const role of m.roles) if (all.has(role.name)) role.inherits.forEach((r) => all.add(r));
  return m.roles
    .filter((role) => all.has(role.name))
    .some((role) =>
      role.patterns.some(
        (p) =>
          patternMatches(p, route) &&
          Object.entries(p.bindings).every(([param, claim]) => {
            const value = claims[claim];
            return typeof value === 'string' && SAFE.test(value) && value === params[param];
          }),
      ),
    );
}

/** Concrete request paths for a route template. */
const requestsArb = (m: TestModel): fc.Arbitrary<{ method: string; path: string }[]> =>
  fc.array(
    fc
      .record({
        index: fc.nat({ max: m.routes.length - 1 }),
        values: fc.array(fc.constantFrom(...VALUES), { minLength: 5, maxLength: 5 }),
        extra: fc.nat({ max: 1 }),
      })
      .map(({ index, values, extra }) => {
        const route = m.routes[index]!;
        const parts = route.tokens.map((t, i) =>
          t.kind === 'literal'
            ? t.value
            : t.kind === 'param'
              ? values[i]!
              : values.slice(i, i + 1 + extra).join('/'),
        );
        return { method: route.method, path: `/${parts.join('/')}` };
      }),
    { minLength: 4, maxLength: 16 },
  );

const callerArb = fc.record({
  roles: fc.subarray(['R0', 'R1', 'R2', 'Unknown']),
  sub: fc.option(fc.constantFrom(...CLAIM_VALUES), { nil: undefined }),
  org: fc.option(fc.constantFrom(...CLAIM_VALUES), { nil: undefined }),
});

function compileOrSkip(yaml: string): CompiledModel | undefined {
  try {
    return compileScopes(yaml, 'random.yaml');
  } catch (error) {
    // Only the documented restrictions may refuse a generated model: a binding no glob can pin, and API
    // Gateway's one variable path part per resource.
    const documented = (message: string): boolean =>
      message.includes('cannot be exact') || message.includes('allows one variable path part per resource');
    if (error instanceof ScopesError && error.diagnostics.every((d) => documented(d.message)))
      return undefined;
    throw error;
  }
}

describe('authorize (property)', () => {
  it('decides every request exactly as scopes.yaml grants, under API Gateway caching', () => {
    // What the run decided: the property must have met per-route routes, bindings and both outcomes.
    const seen = { checked: 0, perRoute: 0, bound: 0, allowed: 0, denied: 0, grouped: 0 };
    fc.assert(
      fc.property(
        modelArb.chain((m) =>
          fc.tuple(fc.constant(m), fc.array(callerArb, { minLength: 1, maxLength: 3 }), requestsArb(m)),
        ),
        ([m, callers, requests]) => {
          const model = compileOrSkip(toYaml(m));
          fc.pre(model !== undefined);
          if (model.groups.length > 1) seen.grouped++;
          for (const caller of callers) {
            const claims = { sub: caller.sub, org: caller.org };
            const who = { principalId: 'p', roles: caller.roles, claims };
            // One cache per token-cached authorizer, as API Gateway keeps.
            const tokenPolicies = new Map<string, PolicyDocument>();
            const routePolicies = new Map<number, PolicyDocument>();
            for (const request of requests) {
              const match = matchRoute(model, request.method, request.path);
              if (!match || match.route.access === 'public') continue;
              const methodArn = `${PREFIX}${request.method}${request.path}`;
              let policy: PolicyDocument;
              if (match.route.access === 'token') {
                // API Gateway caches the first answer per token and authorizer, and applies it to every later
                // request of a route that authorizer decides.
                const name = match.route.authorizer!;
                if (!tokenPolicies.has(name))
                  tokenPolicies.set(name, authorize(model, who, { methodArn }).policyDocument);
                policy = tokenPolicies.get(name)!;
              } else {
                const id = match.route.id;
                if (!routePolicies.has(id)) {
                  const request_ = {
                    methodArn,
                    resourcePath: match.route.path,
                    httpMethod: match.route.method,
                  };
                  routePolicies.set(id, authorize(model, who, request_).policyDocument);
                }
                policy = routePolicies.get(id)!;
              }
              const route = m.routes.find(
                (r) => r.method === match.route.method && pathOf(r.tokens) === match.route.path,
              )!;
              const want = expected(m, caller.roles, claims, route, match.pathParameters);
              const got = iamAllows(policy, methodArn);
              seen.checked++;
              if (match.route.access === 'route') seen.perRoute++;
              if (want && !expected(m, caller.roles, {}, route, match.pathParameters)) seen.bound++;
              if (want) seen.allowed++;
              else seen.denied++;
              if (got !== want) {
                expect.fail(
                  `${request.method} ${request.path} (route ${match.route.method} ${match.route.path}, ${match.route.access}) ` +
                    `for roles [${caller.roles.join(',')}] claims ${JSON.stringify(claims)}: policy says ${got}, ` +
                    `scopes.yaml says ${want}\n${toYaml(m)}\n${JSON.stringify(policy, null, 1)}`,
                );
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(seen.checked).to.be.greaterThan(1000);
    // Allowed only through a claim binding (the same caller without claims is refused).
    expect(seen.bound).to.be.greaterThan(10);
    expect(seen.perRoute).to.be.greaterThan(20);
    // Models split into several token-cached authorizers.
    expect(seen.grouped).to.be.greaterThan(10);
    expect(seen.allowed).to.be.greaterThan(200);
    expect(seen.denied).to.be.greaterThan(200);
  });
});
