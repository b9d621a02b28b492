// Cache groups: which token-cached authorizer decides each route, the API Gateway quotas the compiler checks,
// and role names as identity providers issue them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { compileScopes, ScopesError, type CompiledModel } from '../../policies';
import { ROUTE_AUTHORIZER, TOKEN_AUTHORIZER } from '../../policies/cache-groups';
import { scopesYaml, teamApiSpec } from '../support/api-models';

const withQuotas = (yaml: string, quotas: string): string =>
  yaml.replace('version: 1\n', `version: 1\nquotas: ${quotas}\n`);
const topLevel = (path: string): string => `/${path.split('/')[1]!}`;
const perRoute = (model: CompiledModel) => model.routes.filter((r) => r.access === 'route');

function compileError(yaml: string): string {
  try {
    compileScopes(yaml, 'scopes.yaml');
  } catch (error) {
    expect(error).to.be.instanceOf(ScopesError);
    return (error as ScopesError).message;
  }
  throw new Error('expected a ScopesError');
}

describe('cache groups', () => {
  it('keeps the shipped scopes.yaml on one token-cached authorizer and no per-route routes', () => {
    const model = compileScopes(readFileSync(join(__dirname, '../../scopes.yaml'), 'utf8'));
    expect(model.groups.map((g) => g.name)).to.deep.equal([TOKEN_AUTHORIZER]);
    expect(model.grouping).to.equal('one token-cached authorizer decides every token-cached route');
    expect(model.routeAuthorizer).to.equal(undefined);
    expect(perRoute(model)).to.deep.equal([]);
    const privateIds = model.routes.filter((r) => r.access !== 'public').map((r) => r.id);
    expect(model.groups[0]!.routes).to.deep.equal(privateIds);
    for (const route of model.routes)
      expect(route.authorizer).to.equal(route.access === 'public' ? undefined : TOKEN_AUTHORIZER);
  });

  describe('a model one 8 KB policy cannot decide', () => {
    // Twenty collections and nine roles, without a bound role, plus one public route.
    const spec = teamApiSpec(20, 4);
    delete spec.roles.Self;
    spec.routes.push('GET /health');
    spec.public = ['GET /health'];
    const yaml = scopesYaml(spec);
    let model: CompiledModel;
    let single: CompiledModel;
    before(function () {
      this.timeout(20000);
      model = compileScopes(yaml, 'scopes.yaml');
      single = compileScopes(withQuotas(yaml, '{ authorizers: 2 }'), 'scopes.yaml');
    });

    it('splits by top-level resource: each resource is decided by one token-cached authorizer', () => {
      expect(model.groups.length).to.be.within(2, model.quotas.authorizers - 1);
      expect(perRoute(model)).to.deep.equal([]);
      const byResource = new Map<string, Set<string>>();
      for (const route of model.routes.filter((r) => r.access === 'token')) {
        const key = topLevel(route.path);
        byResource.set(key, (byResource.get(key) ?? new Set()).add(route.authorizer!));
      }
      expect(byResource.size).to.equal(20);
      for (const [resource, names] of byResource) expect([...names], resource).to.have.length(1);
    });

    it('names the deciding authorizer on every private route and on none of the public ones', () => {
      const names = model.groups.map((g) => g.name);
      expect(new Set(names).size).to.equal(names.length);
      for (const name of names) expect(name.startsWith(`${TOKEN_AUTHORIZER}-`)).to.equal(true);
      for (const route of model.routes) {
        if (route.access === 'public') expect(route.authorizer, route.path).to.equal(undefined);
        else expect(names, route.path).to.include(route.authorizer);
      }
      for (const group of model.groups) {
        const decided = model.routes.filter((r) => r.authorizer === group.name).map((r) => r.id);
        expect(group.routes).to.deep.equal(decided);
        expect(group.paths).to.deep.equal([
          ...new Set(decided.map((id) => topLevel(model.routes[id]!.path))),
        ]);
        expect(group.maxResultBytes).to.be.at.most(8192);
      }
      expect(model.maxResultBytes).to.equal(Math.max(...model.groups.map((g) => g.maxResultBytes)));
    });

    it('says why it split: one result could exceed 8 KB more than twice over', () => {
      expect(single.groups.map((g) => g.name)).to.deep.equal([TOKEN_AUTHORIZER]);
      expect(perRoute(single).length).to.be.greaterThan(0);
      expect(model.grouping).to.equal(
        `${model.groups.length} token-cached authorizers, by top-level resource: one result could exceed ` +
          '8 KB more than twice over',
      );
    });

    it('says why it split: how many routes one authorizer would leave per route', function () {
      this.timeout(20000);
      // Eight collections: one policy over everything is only somewhat over 8 KB.
      const small = teamApiSpec(8, 2);
      delete small.roles.Self;
      const yaml = scopesYaml(small);
      const split = compileScopes(yaml, 'scopes.yaml');
      const left = perRoute(compileScopes(withQuotas(yaml, '{ authorizers: 2 }'), 'scopes.yaml')).length;
      expect(left).to.be.greaterThan(0);
      expect(split.grouping).to.equal(
        `${split.groups.length} token-cached authorizers, by top-level resource: one would leave ${left} ` +
          'routes to the per-route authorizer',
      );
      expect(split.groups.length).to.be.greaterThan(1);
      expect(perRoute(split)).to.deep.equal([]);
    });

    it('sends what does not fit to the per-route authorizer when the quota leaves one token-cached authorizer', () => {
      expect(single.routeAuthorizer).to.equal(ROUTE_AUTHORIZER);
      for (const route of perRoute(single)) {
        expect(route.authorizer).to.equal(ROUTE_AUTHORIZER);
        expect(route.reason).to.match(/^the token-cached result for roles .+ would exceed 8 KB$/);
      }
      expect(single.maxResultBytes).to.be.at.most(8192);
    });
  });

  describe('conflicting routes', () => {
    // Reader's Allow for GET /users/{userId} also matches /keys, which Self holds only for its own sub.
    const yaml = [
      'version: 1',
      'routes:',
      '  GET /users/{userId}: users',
      '  GET /users/{userId}/keys: users',
      'roles:',
      '  Reader:',
      '    grants:',
      '      - GET /users/{userId}',
      '  Self:',
      '    grants:',
      '      - GET /users/{userId=sub}/keys',
      '',
    ].join('\n');

    it('go to different token-cached authorizers within the default quota', () => {
      const model = compileScopes(yaml, 'scopes.yaml');
      expect(model.routes.map((r) => [r.path, r.access, r.authorizer])).to.deep.equal([
        ['/users/{userId}', 'token', `${TOKEN_AUTHORIZER}-users`],
        ['/users/{userId}/keys', 'token', `${TOKEN_AUTHORIZER}-users-2`],
      ]);
      expect(model.groups.map((g) => [g.name, g.paths, g.roles])).to.deep.equal([
        [`${TOKEN_AUTHORIZER}-users`, ['/users'], ['Reader']],
        [`${TOKEN_AUTHORIZER}-users-2`, ['/users'], ['Self']],
      ]);
      expect(model.routeAuthorizer).to.equal(undefined);
    });

    it('go per route when the quota allows only one token-cached authorizer', () => {
      const model = compileScopes(withQuotas(yaml, '{ authorizers: 2 }'), 'scopes.yaml');
      expect(model.routes.map((r) => [r.path, r.access, r.authorizer])).to.deep.equal([
        ['/users/{userId}', 'token', TOKEN_AUTHORIZER],
        ['/users/{userId}/keys', 'route', ROUTE_AUTHORIZER],
      ]);
      expect(model.routes[1]!.reason).to.equal(
        'an Allow for GET /users/{userId} (role Reader) also matches GET /users/{userId}/keys, which role Self ' +
          'holds only through a binding',
      );
    });
  });

  it('uses more token-cached authorizers when quotas.authorizers is raised', function () {
    this.timeout(20000);
    // Twenty-two resources that each need a 7 KB policy of their own: at most one per group.
    const routes = Array.from({ length: 22 }, (_, r) =>
      Array.from({ length: 60 }, (_, i) => `GET /area-${r}/{id}/record-of-area-${r}-number-${i}`),
    ).flat();
    const half = (odd: number) => ({ grants: routes.filter((_, i) => i % 2 === odd) });
    const spec = { routes, roles: { Even: half(0), Odd: half(1) } };
    const yaml = scopesYaml(spec);
    const bounded = compileScopes(yaml, 'scopes.yaml');
    const raised = compileScopes(withQuotas(yaml, '{ authorizers: 30 }'), 'scopes.yaml');
    expect(bounded.groups).to.have.length(9);
    expect(perRoute(bounded).length).to.be.greaterThan(0);
    expect(raised.groups.length).to.be.within(10, 29);
    expect(perRoute(raised)).to.deep.equal([]);
    expect(raised.maxResultBytes).to.be.at.most(8192);
  });

  describe('the API Gateway resource quota', () => {
    // One resource per distinct path prefix, plus the root: 2 × 160 + 1.
    const yaml = scopesYaml({
      routes: Array.from({ length: 160 }, (_, i) => [`GET /r${i}`, `GET /r${i}/{id}`]).flat(),
      roles: { Reader: { grants: ['GET /**'] } },
    });

    it('warns when the API needs more resources than the quota, naming both', () => {
      const model = compileScopes(yaml, 'scopes.yaml');
      expect(model.apiResources).to.equal(321);
      expect(model.warnings).to.deep.equal([
        'scopes.yaml: the API needs 321 API Gateway resources (one per distinct path prefix), over the quota of ' +
          '300 per REST API; the import fails unless the quota is raised (then set quotas.resources)',
      ]);
    });

    it('does not warn once quotas.resources is raised', () => {
      const model = compileScopes(withQuotas(yaml, '{ resources: 321 }'), 'scopes.yaml');
      expect(model.warnings).to.deep.equal([]);
    });
  });

  describe('sibling variable path parts', () => {
    it('refuses a greedy parameter beside a parameter, where it stands', () => {
      const yaml = [
        'version: 1',
        'routes:',
        '  GET /files/{owner}: fn',
        '  GET /files/{path+}: fn',
        'public:',
      ];
      yaml.push('  - GET /files/{owner}', '  - GET /files/{path+}', '');
      expect(compileError(yaml.join('\n'))).to.equal(
        'scopes.yaml:4:3: {path+} in "GET /files/{path+}" is a sibling of {owner} in "GET /files/{owner}" ' +
          '(line 3) under "/files"; API Gateway allows one variable path part per resource',
      );
    });

    it('refuses it in either order and on any method', () => {
      const yaml = ['version: 1', 'routes:', '  GET /files/{path+}: fn', '  DELETE /files/{owner}: fn'];
      yaml.push('public:', '  - GET /files/{path+}', '  - DELETE /files/{owner}', '');
      expect(compileError(yaml.join('\n'))).to.equal(
        'scopes.yaml:4:3: {owner} in "DELETE /files/{owner}" is a sibling of {path+} in "GET /files/{path+}" ' +
          '(line 3) under "/files"; API Gateway allows one variable path part per resource',
      );
    });
  });

  describe('role names', () => {
    const names = [
      'orders-api/orders.read',
      'https://api.example.com/orders.read',
      'read:orders',
      'api://orders/Orders.Read',
    ];
    const withRole = (quoted: string): string =>
      [
        'version: 1',
        'routes:',
        '  GET /orders: fn',
        'roles:',
        `  ${quoted}:`,
        '    grants: [GET /orders]',
        '',
      ].join('\n');

    it('accepts the OAuth 2.0 scope tokens identity providers issue, quoted in YAML', () => {
      for (const name of names) {
        const model = compileScopes(withRole(`'${name}'`), 'scopes.yaml');
        expect(model.roles.map((r) => r.name)).to.deep.equal([name]);
      }
      expect(compileScopes(withRole(`"${'r'.repeat(128)}"`)).roles[0]!.name).to.have.length(128);
    });

    for (const [what, quoted, shown] of [
      ['a space', '"orders read"', '"orders read"'],
      ['a double quote', `'orders"read'`, '"orders\\"read"'],
      ['a backslash', `'orders\\read'`, '"orders\\\\read"'],
      ['more than 128 characters', `"${'r'.repeat(129)}"`, `"${'r'.repeat(129)}"`],
    ] as const) {
      it(`refuses a role name with ${what}`, () => {
        expect(compileError(withRole(quoted))).to.equal(
          `scopes.yaml:5:3: role name ${shown} is not valid. Expected an OAuth 2.0 scope token: 1 to 128 ` +
            'printable ASCII characters other than space, " and \\',
        );
      });
    }
  });
});
