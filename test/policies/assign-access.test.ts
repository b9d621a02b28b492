// Access assignment: routes a whole-API policy cannot decide exactly go to the per-route authorizer, with why.
import { expect } from 'chai';
import { authorize, compileScopes, type CompiledModel } from '../../policies';
import { BUDGET_ARN_PREFIX } from '../../policies/method-arn';

const compile = (...lines: string[]) => compileScopes(lines.join('\n'), 'scopes.yaml');

/**
 * The largest result the deployed authorizer returns for any set of the given roles, measured on real
 * authorize() output: the longest ARN prefix, a 128-character sub and the context the authorizer adds.
 */
function largestResult(model: CompiledModel, roleSets: string[][]): number {
  const sub = 's'.repeat(128);
  return Math.max(
    ...roleSets.map((roles) => {
      const result = authorize(
        model,
        { principalId: sub, roles, claims: { sub } },
        { methodArn: `${BUDGET_ARN_PREFIX}GET/x` },
      );
      result.context = { ...result.context, clientId: 'c'.repeat(64), tokenId: 't'.repeat(64) };
      return JSON.stringify(result).length;
    }),
  );
}

const combinations = (names: string[]): string[][] =>
  Array.from({ length: 2 ** names.length - 1 }, (_, m) => names.filter((_, i) => (m + 1) & (1 << i)));
const accessOf = (model: ReturnType<typeof compileScopes>) =>
  Object.fromEntries(model.routes.map((r) => [`${r.method} ${r.path}`, r.access]));

describe('access assignment', () => {
  it('keeps a model whose wildcards can be fenced by Deny statements on the token-cached authorizer', () => {
    const model = compile(
      'version: 1',
      'routes:',
      '  GET /users/{userId}: fn',
      '  GET /users/{userId}/keys: fn',
      'roles:',
      '  User:',
      '    grants:',
      '      - GET /users/{userId}',
      '  Admin:',
      '    grants:',
      '      - GET /users/{userId}/keys',
    );
    expect(accessOf(model)).to.deep.equal({
      'GET /users/{userId}': 'token',
      'GET /users/{userId}/keys': 'token',
    });
  });

  it('moves a route under a greedy one when its Deny would also hit the greedy route', () => {
    const model = compile(
      'version: 1',
      'routes:',
      '  GET /files/{path+}: fn',
      '  GET /files/{id}/meta: fn',
      'roles:',
      '  User:',
      '    grants:',
      '      - GET /files/{path+}',
      '  Admin:',
      '    grants:',
      '      - GET /files/**',
    );
    expect(accessOf(model)).to.deep.equal({ 'GET /files/{path+}': 'token', 'GET /files/{id}/meta': 'route' });
    expect(model.routes[1]!.reason).to.equal(
      'an Allow for GET /files/{path+} (role User) also matches GET /files/{id}/meta, and a Deny for that would ' +
        'also match GET /files/{path+} (role User)',
    );
  });

  it('moves a route held only through a binding when another Allow reaches it', () => {
    const model = compile(
      'version: 1',
      'routes:',
      '  GET /u/{rest+}: fn',
      '  GET /u/{id}: fn',
      'roles:',
      '  Reader:',
      '    grants:',
      '      - GET /u/{rest+}',
      '  Owner:',
      '    grants:',
      '      - GET /u/{id=sub}',
    );
    expect(accessOf(model)).to.deep.equal({ 'GET /u/{rest+}': 'token', 'GET /u/{id}': 'route' });
    expect(model.routes[1]!.reason).to.equal(
      'an Allow for GET /u/{rest+} (role Reader) also matches GET /u/{id}, which role Owner holds only through a binding',
    );
  });

  it('keeps every token-cached result within 8 KB by moving the largest routes per route', () => {
    // Every other route, so no subtree is fully held and nothing can be merged.
    const routes = Array.from(
      { length: 240 },
      (_, i) => `GET /resource-${i}/{id}/details-of-the-resource-${i}`,
    );
    const grants = (odd: number) => routes.filter((_, i) => i % 2 === odd).map((r) => `      - ${r}`);
    const model = compile(
      'version: 1',
      'routes:',
      ...routes.map((r) => `  ${r}: fn`),
      'roles:',
      '  Wide:',
      '    grants:',
      ...grants(0),
      '  Other:',
      '    grants:',
      ...grants(1),
    );
    const perRoute = model.routes.filter((r) => r.access === 'route');
    expect(largestResult(model, combinations(['Wide', 'Other'])))
      .to.equal(model.maxResultBytes)
      .and.be.at.most(8192);
    // Without the moves one role's result would be about 16 KB: about half the routes had to go.
    expect(perRoute.length).to.be.within(120, 150);
    expect(perRoute[0]!.reason).to.match(
      /^the token-cached policy for roles (Other|Wide)(, Wide)? would exceed 8 KB$/,
    );
  });

  it('bounds the result for more roles than it can enumerate, with an upper bound over all of them', () => {
    // Eleven roles each holding a different slice of 220 routes: 2,047 combinations, sized by one upper bound.
    const routes = Array.from({ length: 220 }, (_, i) => `GET /area-${i}/{id}/records`);
    const names = Array.from({ length: 11 }, (_, r) => `Role${r}`);
    const model = compile(
      'version: 1',
      'routes:',
      ...routes.map((r) => `  ${r}: fn`),
      'roles:',
      ...names.flatMap((name, r) => [
        `  ${name}:`,
        '    grants:',
        ...routes.filter((_, i) => i % 11 === r).map((x) => `      - ${x}`),
      ]),
    );
    expect(model.maxResultBytes).to.be.at.most(8192);
    expect(largestResult(model, [names, names.slice(0, 5), names.slice(6)])).to.be.at.most(
      model.maxResultBytes,
    );
    expect(model.routes.some((r) => r.access === 'route')).to.equal(true);
  });

  it('merges a fully held subtree into one wildcard', () => {
    const routes = Array.from({ length: 50 }, (_, i) => `  GET /catalog/item-${i}: fn`);
    const model = compile(
      'version: 1',
      'routes:',
      ...routes,
      'roles:',
      '  Wide:',
      '    grants: ["GET /catalog/**"]',
    );
    expect(model.routes.every((r) => r.access === 'token')).to.equal(true);
    expect(model.merges[0]!.resources).to.deep.equal(['GET/*']);
    const policy = authorize(
      model,
      { principalId: 'u', roles: ['Wide'], claims: {} },
      { methodArn: `${BUDGET_ARN_PREFIX}GET/x` },
    );
    expect(policy.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${BUDGET_ARN_PREFIX}GET/*`] },
    ]);
  });
});
