// The scale goals on API models shaped like real ones: few per-route routes, about one authorizer call per
// token and authorizer, and every result within 8 KB for any role combination.
import { expect } from 'chai';
import fc from 'fast-check';
import type { CompiledModel } from '../../policies';
import { compiledApi, LARGE_APIS, type LargeApi } from '../support/compiled-api-models';
import { resultBytes } from '../support/largest-result';

/** Authorizer invocations for one token that calls every route once: one per authorizer cache it meets. */
function callsForEveryRoute(model: CompiledModel): number {
  const cached = new Set<string>();
  let calls = 0;
  for (const route of model.routes) {
    if (route.access === 'public') continue;
    const key = route.access === 'token' ? route.authorizer! : `${route.authorizer!} ${route.id}`;
    if (!cached.has(key)) calls++;
    cached.add(key);
  }
  return calls;
}

describe('scale goals', () => {
  const names = Object.keys(LARGE_APIS) as LargeApi[];
  const models = new Map<LargeApi, CompiledModel>();
  before(function () {
    this.timeout(60000);
    for (const name of names) models.set(name, compiledApi(name).model);
  });

  for (const name of names) {
    describe(name, () => {
      const model = () => models.get(name)!;

      it('sends at most 5% of the private routes to the per-route authorizer', () => {
        const privateRoutes = model().routes.filter((r) => r.access !== 'public');
        const perRoute = privateRoutes.filter((r) => r.access === 'route');
        expect(privateRoutes.length).to.be.greaterThan(400);
        expect(perRoute.length).to.be.at.most(privateRoutes.length * 0.05);
      });

      it('costs one token that calls every route at most 10 authorizer calls plus the per-route routes', () => {
        const perRoute = model().routes.filter((r) => r.access === 'route').length;
        const calls = callsForEveryRoute(model());
        expect(calls).to.equal(model().groups.length + perRoute);
        expect(calls).to.be.at.most(10 + perRoute);
        expect(model().groups.length).to.be.at.most(model().quotas.authorizers - (perRoute > 0 ? 1 : 0));
      });

      it('proves every token-cached result within 8 KB, and no real result exceeds its proof', function () {
        this.timeout(20000);
        const groups = model().groups;
        for (const group of groups) expect(group.maxResultBytes, group.name).to.be.at.most(8192);
        const roles = model().roles.map((r) => r.name);
        // Every role at once, each role alone, and random combinations of few or many roles.
        const checked = (held: readonly string[]): void => {
          for (const group of groups) {
            const bytes = resultBytes(model(), group, held);
            expect(bytes, `${group.name} for [${held.join(', ')}]`).to.be.at.most(group.maxResultBytes);
          }
        };
        checked(roles);
        for (const role of roles) checked([role]);
        fc.assert(
          fc.property(
            fc.oneof(
              fc.subarray(roles, { minLength: 1, maxLength: 4 }),
              fc.subarray(roles, { minLength: 1 }),
            ),
            (held) => checked(held),
          ),
          { numRuns: 60 },
        );
      });
    });
  }
});
