// The packed model the Lambda bundles carry: decides as the compiled model does, stays small, and does not
// change with comments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { authorize, compileScopes, type AuthorizeRequest, type CompiledModel } from '../../policies';
import { toOpenApi, type OpenApiOptions } from '../../policies/openapi';
import { rolesThatManageRoles } from '../../functions/users/role-guard';
import { bundledModel, modelFromBundle, packModel, unpackModel } from '../../policies/runtime-model';
import { compiledApi } from '../support/compiled-api-models';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/';
const VALUES = ['u1', 'u2', 'me', 'private'];
const shipped = readFileSync(join(__dirname, '../../scopes.yaml'), 'utf8');
const perRouteFixture = readFileSync(join(__dirname, '../fixtures/authorizer/scopes-per-route.yaml'), 'utf8');

/** What API Gateway sends a deployed bundle: a route's method ARN, with the route for the per-route authorizer. */
const requestArb = (model: CompiledModel): fc.Arbitrary<AuthorizeRequest> =>
  fc
    .record({
      route: fc.nat({ max: model.routes.length - 1 }),
      values: fc.array(fc.constantFrom(...VALUES), { minLength: 8, maxLength: 8 }),
      unknown: fc.boolean(),
    })
    .map(({ route: id, values, unknown }) => {
      const route = model.routes[id]!;
      const path = route.segments.map((s, i) => (s.kind === 'literal' ? s.value : values[i]!)).join('/');
      const methodArn = `${PREFIX}${route.method}/${unknown ? `no-such-route/${path}` : path}`;
      return route.access === 'route' && !unknown
        ? { methodArn, resourcePath: route.path, httpMethod: route.method }
        : { methodArn };
    });

function decidesAlike(model: CompiledModel, numRuns: number): void {
  const unpacked = unpackModel(JSON.parse(JSON.stringify(packModel(model))) as ReturnType<typeof packModel>);
  // What the per-request path reads is rebuilt exactly: routing segments, globs, reach, groups.
  expect(unpacked.routes.map((r) => [r.method, r.path, r.segments, r.access, r.authorizer])).to.deep.equal(
    model.routes.map((r) => [r.method, r.path, r.segments, r.access, r.authorizer]),
  );
  // An empty bound reach is as good as none: the plan reads `reachBound ?? reachFull`.
  const reachOf = (m: CompiledModel) =>
    m.analysis.map((a) => [a.glob, a.reachFull, a.reachBound ?? a.reachFull]);
  expect(reachOf(unpacked)).to.deep.equal(reachOf(model));
  expect(unpacked.groups.map((g) => [g.name, g.routes, g.roles, g.merges])).to.deep.equal(
    model.groups.map((g) => [g.name, g.routes, g.roles, g.merges]),
  );
  const roles = [...model.roles.map((r) => r.name), 'unknown-role'];
  fc.assert(
    fc.property(
      fc.subarray(roles),
      fc.option(fc.constantFrom(...VALUES), { nil: undefined }),
      fc.array(requestArb(model), { minLength: 1, maxLength: 10 }),
      (held, sub, requests) => {
        const caller = { principalId: sub ?? 'p', roles: held, claims: { sub } };
        for (const request of requests)
          expect(authorize(unpacked, caller, request)).to.deep.equal(authorize(model, caller, request));
      },
    ),
    { numRuns },
  );
}

const options: OpenApiOptions = {
  title: 'scopegate',
  functionInvokeArns: Object.fromEntries(
    ['auth', 'messages', 'users'].map((fn) => [
      fn,
      `arn:aws:apigateway:eu-west-1:lambda:path/${fn}/invocations`,
    ]),
  ),
  tokenAuthorizerInvokeArn: 'arn:aws:apigateway:eu-west-1:lambda:path/authorizer/invocations',
  routeAuthorizerInvokeArn: 'arn:aws:apigateway:eu-west-1:lambda:path/authorizer/invocations',
  authorizerTtlSeconds: 300,
  corsOrigins: ['*'],
};

describe('packed model', () => {
  it('authorizes every request as the compiled shipped scopes.yaml does', () => {
    decidesAlike(compileScopes(shipped), 200);
  });

  it('authorizes every request as the compiled model does, per-route routes included', () => {
    const model = compileScopes(perRouteFixture);
    expect(model.routes.some((r) => r.access === 'route')).to.equal(true);
    decidesAlike(model, 200);
  });

  it('authorizes every request as a large model with several token-cached authorizers does', function () {
    this.timeout(30000);
    const { model } = compiledApi('teamApi(20,4)');
    expect(model.groups.length).to.be.greaterThan(1);
    decidesAlike(model, 100);
  });

  it('keeps a 2,000-route, 64-scope model within 200 KB', function () {
    this.timeout(30000);
    const { model } = compiledApi('scopedApi(32,10)');
    expect(model.routes.length).to.be.greaterThan(1900);
    expect(model.roles).to.have.length(64);
    const bytes = Buffer.byteLength(JSON.stringify(packModel(model)));
    expect(bytes).to.be.at.most(200 * 1024);
    // The full compiled model, as the bundles carried it before, is several times larger.
    expect(Buffer.byteLength(JSON.stringify(model))).to.be.greaterThan(bytes * 3);
  });

  it('reaches a bundle as one JSON string and comes back whole, for every function that reads it', () => {
    const model = compileScopes(shipped);
    const text = JSON.parse(bundledModel(model)) as unknown;
    expect(text).to.be.a('string');
    const back = modelFromBundle(text as string);
    expect(back.roles.map((r) => r.name)).to.deep.equal(['User', 'Admin']);
    // The users function refuses removing the last holder of these.
    expect(rolesThatManageRoles(back)).to.deep.equal(rolesThatManageRoles(model)).and.deep.equal(['Admin']);
  });

  it('refuses what is not a packed model', () => {
    expect(() => unpackModel({} as ReturnType<typeof packModel>)).to.throw(
      TypeError,
      'not a packed scope model',
    );
  });

  describe('after a comment-only edit of scopes.yaml', () => {
    // Comments above and beside the routes move every line after them.
    const edited = shipped
      .replace('version: 1', '# An API\n# with comments\n\nversion: 1 # the format')
      .replace('  GET /messages: messages', '  # Messages\n  GET /messages: messages # the list');
    const before = compileScopes(shipped);
    const after = compileScopes(edited);

    it('moves the lines it compiled from', () => {
      expect(after.routes.map((r) => r.line)).to.not.deep.equal(before.routes.map((r) => r.line));
    });

    it('gives an identical packed model', () => {
      expect(JSON.stringify(packModel(after))).to.equal(JSON.stringify(packModel(before)));
    });

    it('gives an identical OpenAPI document', () => {
      expect(JSON.stringify(toOpenApi(after, options))).to.equal(JSON.stringify(toOpenApi(before, options)));
    });
  });
});
