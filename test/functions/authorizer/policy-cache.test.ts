// The cache bug, simulated: API Gateway reuses an authorizer result for later requests; every reuse must be exact.
import { expect } from 'chai';
import { matchRoute } from '../../../policies/index';
import type { AuthorizerResult, CompiledModel, CompiledRoute } from '../../../policies/model';
import type { Harness } from './harness';
import {
  loadModel,
  methodArn,
  PER_ROUTE_SCOPES,
  REPO_SCOPES,
  requestEvent,
  startHarness,
  tokenEvent,
} from './harness';
import { userKey } from '../../../functions/lib/token-table';
import { evaluate } from './simulate';
import { sign, userClaims } from './support';

const SUB = 'user-1';
/** Path parameter values tried for every route: the caller's own id, someone else's, and greedy multi-segment ones. */
const VALUES = [SUB, 'user-2'];
const GREEDY_VALUES = [SUB, 'user-2', 'a/b', `${SUB}/private`, 'user-2/private'];

interface Request {
  method: string;
  path: string;
  route: CompiledRoute;
  pathParameters: Record<string, string>;
}

/** Every concrete request the routes admit with the values above, routed as API Gateway would. */
function concreteRequests(model: CompiledModel): Request[] {
  const seen = new Map<string, Request>();
  for (const route of model.routes) {
    let paths = [''];
    for (const segment of route.path.split('/').slice(1)) {
      const param = /^\{(\w+)(\+?)\}$/.exec(segment);
      const options = param === null ? [segment] : param[2] === '+' ? GREEDY_VALUES : VALUES;
      paths = paths.flatMap((prefix) => options.map((option) => `${prefix}/${option}`));
    }
    for (const path of paths) {
      const match = matchRoute(model, route.method, path);
      if (match === undefined || match.route.access === 'public') continue;
      seen.set(`${route.method} ${path}`, { method: route.method, path, ...match });
    }
  }
  return [...seen.values()];
}

/** What scopes.yaml says: some held role grants the route with a binding that holds for these parameters. */
function granted(model: CompiledModel, roles: string[], request: Request): boolean {
  const claims: Record<string, string> = { sub: SUB };
  return model.roles
    .filter((role) => roles.includes(role.name))
    .some((role) =>
      role.grants.some(
        (grant) =>
          grant.route === request.route.id &&
          grant.bindings.some((binding) =>
            Object.entries(binding).every(
              ([param, claim]) => request.pathParameters[param] === claims[claim],
            ),
          ),
      ),
    );
}

function roleSets(model: CompiledModel): string[][] {
  const names = model.roles.map((role) => role.name);
  return Array.from({ length: 2 ** names.length }, (_, mask) => names.filter((_, i) => (mask >> i) & 1));
}

describe('authorizer results reused by the API Gateway cache', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  for (const [label, file] of [
    ['scopes.yaml', REPO_SCOPES],
    ['a model with per-route routes', PER_ROUTE_SCOPES],
  ] as const) {
    it(`matches ${label} for every role set, whichever route the result was obtained on`, async () => {
      const model = loadModel(file);
      // The user holds every role, so the token's roles decide (the authorizer drops roles the user lost).
      await h.put({ ...userKey(SUB), sub: SUB, roles: model.roles.map((role) => role.name), createdAt: 1 });
      const authorizer = h.make({ model });
      const requests = concreteRequests(model);
      const perToken = requests.filter((request) => request.route.access === 'token');
      const perRoute = requests.filter((request) => request.route.access === 'route');
      expect(perToken.length, 'token-cached requests').to.be.greaterThan(3);
      if (file === PER_ROUTE_SCOPES) expect(perRoute.length, 'per-route requests').to.be.greaterThan(3);
      let checked = 0;
      const decide = async (
        result: AuthorizerResult,
        request: Request,
        roles: string[],
        obtainedOn: Request,
      ) => {
        const allowed =
          (await evaluate(result.policyDocument, methodArn(request.method, request.path))) === 'Allowed';
        const context = `[${roles.join(' ')}] ${request.method} ${request.path} with the result of ${obtainedOn.method} ${obtainedOn.path}`;
        expect(allowed, context).to.equal(granted(model, roles, request));
        checked++;
      };

      for (const roles of roleSets(model)) {
        const token = `Bearer ${await sign(h.ed, userClaims({ sub: SUB, sid: `sid-${SUB}`, scope: roles.join(' ') }))}`;
        // Token-cached authorizer: the cache key is the token alone, so the result obtained on any route is
        // applied to every token-cached route.
        for (const first of perToken) {
          const result = await authorizer.handleToken(tokenEvent(token, first.method, first.path));
          for (const later of perToken) await decide(result, later, roles, first);
        }
        // Per-route authorizer: the cache key is token, method and resource template, so the result obtained
        // for one concrete path is applied to every other path of the same route.
        for (const first of perRoute) {
          const event = requestEvent({ Authorization: token }, first.method, first.route.path, first.path);
          const result = await authorizer.handleRequest(event);
          for (const later of perRoute.filter((request) => request.route === first.route)) {
            await decide(result, later, roles, first);
          }
        }
      }
      expect(checked).to.be.greaterThan(100);
    });
  }
});
