// Access assignment with one token-cached authorizer (an authorizer quota of 2): routes its policy cannot
// decide exactly go to the per-route authorizer, with why.
import { expect } from 'chai';
import { authorize, compileScopes } from '../../policies';
import { BUDGET_ARN_PREFIX, LONGEST_METHOD_ARN_PREFIX } from '../../policies/method-arn';
import { largestResult } from '../support/largest-result';

/** One token-cached authorizer and the per-route one, so conflicts cannot be split into cache groups. */
const compile = (...lines: string[]) =>
  compileScopes([lines[0]!, 'quotas: { authorizers: 2 }', ...lines.slice(1)].join('\n'), 'scopes.yaml');

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
      '  GET /files/shared/{id}/meta: fn',
      'roles:',
      '  User:',
      '    grants:',
      '      - GET /files/{path+}',
      '  Admin:',
      '    grants:',
      '      - GET /files/**',
    );
    expect(accessOf(model)).to.deep.equal({
      'GET /files/{path+}': 'token',
      'GET /files/shared/{id}/meta': 'route',
    });
    expect(model.routes[1]!.reason).to.equal(
      'an Allow for GET /files/{path+} (role User) also matches GET /files/shared/{id}/meta, and a Deny for that would ' +
        'also match GET /files/{path+} (role User)',
    );
  });

  it('moves a route held only through a binding when another Allow reaches it', () => {
    const model = compile(
      'version: 1',
      'routes:',
      '  GET /u/{rest+}: fn',
      '  GET /u/me/{id}: fn',
      'roles:',
      '  Reader:',
      '    grants:',
      '      - GET /u/{rest+}',
      '  Owner:',
      '    grants:',
      '      - GET /u/me/{id=sub}',
    );
    expect(accessOf(model)).to.deep.equal({ 'GET /u/{rest+}': 'token', 'GET /u/me/{id}': 'route' });
    expect(model.routes[1]!.reason).to.equal(
      'an Allow for GET /u/{rest+} (role Reader) also matches GET /u/me/{id}, which role Owner holds only through a binding',
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
      .to.be.at.most(model.maxResultBytes)
      .and.be.at.most(8192);
    expect(model.maxResultBytes).to.be.at.most(8192);
    // Without the moves one role's result would be about 14 KB: about 45 of each role's 120 routes had to go.
    expect(perRoute.length).to.be.within(95, 120);
    expect(perRoute[0]!.reason).to.match(
      /^the token-cached result for roles (Other|Wide)(, Wide)? would exceed 8 KB$/,
    );
  });

  it('bounds the result for every combination of many roles, proving each resource separately', () => {
    // Eleven roles each holding a different slice of 220 routes: 2,047 combinations, never enumerated whole.
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
    expect(model.groups[0]!.merges[0]!.resources).to.deep.equal(['*']);
    const policy = authorize(
      model,
      { principalId: 'u', roles: ['Wide'], claims: {} },
      { methodArn: `${LONGEST_METHOD_ARN_PREFIX}GET/catalog/item-7` },
    );
    expect(policy.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${BUDGET_ARN_PREFIX}*`] },
    ]);
  });
});
