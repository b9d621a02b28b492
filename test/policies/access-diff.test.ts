// The access diff on pairs of real scopes files: every change kind, the equivalences, and two properties.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { compileScopes, type CompiledModel } from '../../policies';
import {
  diffModels,
  isEmptyDiff,
  renderDiffMarkdown,
  widens,
  type AccessDiff,
} from '../../policies/access-diff';

const FIXTURES = join(__dirname, '../fixtures/access-diff');
const load = (name: string): CompiledModel => compileScopes(readFileSync(join(FIXTURES, name), 'utf8'), name);
const fromBase = (name: string): AccessDiff => diffModels(load('base.yaml'), load(name));
const toBase = (name: string): AccessDiff => diffModels(load(name), load('base.yaml'));

describe('diffModels', () => {
  for (const name of ['reordered.yaml', 'split-grant.yaml', 'copied-grants.yaml', 'renamed-parameter.yaml']) {
    it(`finds no change between base.yaml and its equivalent ${name}, either way`, () => {
      expect(fromBase(name)).to.deep.equal({ base: 'base.yaml', head: name, routes: [], roles: [] });
      expect(isEmptyDiff(toBase(name))).to.equal(true);
    });
  }

  it('reports a binding dropped from a grant as a widening', () => {
    const diff = fromBase('binding-widened.yaml');
    expect(diff.routes).to.deep.equal([]);
    expect(diff.roles).to.deep.equal([
      {
        role: 'User',
        grants: [
          {
            kind: 'widen',
            change: 'widened',
            key: 'GET /users/{}',
            route: 'GET /users/{userId}',
            before: ['GET /users/{userId=sub}'],
            after: ['GET /users/{userId}'],
            granted: ['GET /users/{userId}'],
            revoked: [],
          },
        ],
      },
    ]);
    expect(widens(diff)).to.equal(true);
  });

  it('reports a binding added to a grant as a narrowing', () => {
    const diff = toBase('binding-widened.yaml');
    expect(diff.roles[0]!.grants.map((g) => [g.kind, g.change, g.revoked])).to.deep.equal([
      ['narrow', 'narrowed', ['GET /users/{userId}']],
    ]);
    expect(widens(diff)).to.equal(false);
  });

  it('reports an added route and the role that gains it through a subtree grant', () => {
    const diff = fromBase('route-added.yaml');
    expect(diff.routes).to.deep.equal([
      {
        kind: 'neutral',
        change: 'route-added',
        key: 'GET /messages/{}',
        route: 'GET /messages/{messageId}',
        after: 'messages',
      },
    ]);
    expect(
      diff.roles.map((r) => [r.role, r.grants.map((g) => `${g.kind} ${g.change} ${g.route}`)]),
    ).to.deep.equal([['Admin', ['widen gained GET /messages/{messageId}']]]);
  });

  it('reports a removed route and the role that loses it', () => {
    const diff = fromBase('route-removed.yaml');
    expect(diff.routes.map((c) => [c.kind, c.change, c.route, c.before])).to.deep.equal([
      ['neutral', 'route-removed', 'DELETE /messages/{messageId}', 'messages'],
    ]);
    expect(diff.roles[0]!.grants.map((g) => [g.kind, g.change, g.before, g.after])).to.deep.equal([
      ['narrow', 'lost', ['DELETE /messages/{messageId}'], []],
    ]);
    expect(widens(diff)).to.equal(false);
  });

  it('reports a route moved to another function as neutral', () => {
    const diff = fromBase('function-moved.yaml');
    expect(diff).to.deep.equal({
      base: 'base.yaml',
      head: 'function-moved.yaml',
      routes: [
        {
          kind: 'neutral',
          change: 'function-changed',
          key: 'GET /users',
          route: 'GET /users',
          before: 'users',
          after: 'messages',
        },
      ],
      roles: [],
    });
    expect(widens(diff)).to.equal(false);
  });

  it('reports a route made public as a widening, without per-role noise', () => {
    const diff = fromBase('made-public.yaml');
    expect(diff.routes).to.deep.equal([
      {
        kind: 'widen',
        change: 'public-added',
        key: 'GET /messages',
        route: 'GET /messages',
        before: 'private',
        after: 'public',
      },
    ]);
    expect(diff.roles).to.deep.equal([]);
  });

  it('reports a public route made private as a narrowing', () => {
    const diff = toBase('made-public.yaml');
    expect(diff.routes.map((c) => [c.kind, c.change])).to.deep.equal([['narrow', 'public-removed']]);
    expect(widens(diff)).to.equal(false);
  });

  it('reports an added public route as added and as a widening', () => {
    const base = compileScopes('version: 1\nroutes:\n  GET /a: messages\npublic: [GET /a]\n', 'a.yaml');
    const head = compileScopes(
      'version: 1\nroutes:\n  GET /a: messages\n  GET /b/{id}: messages\npublic: [GET /a, "GET /b/{id}"]\n',
      'b.yaml',
    );
    expect(diffModels(base, head).routes.map((c) => [c.kind, c.change, c.route])).to.deep.equal([
      ['neutral', 'route-added', 'GET /b/{id}'],
      ['widen', 'public-added', 'GET /b/{id}'],
    ]);
    expect(diffModels(head, base).routes.map((c) => [c.kind, c.change])).to.deep.equal([
      ['neutral', 'route-removed'],
      ['narrow', 'public-removed'],
    ]);
  });

  it('reports an added role with every route it gains, and a removed role with every route it loses', () => {
    const added = fromBase('role-added.yaml');
    expect(
      added.roles.map((r) => [r.role, r.status, r.grants.map((g) => `${g.kind} ${g.change} ${g.route}`)]),
    ).to.deep.equal([['Auditor', 'added', ['widen gained GET /users', 'widen gained GET /users/{userId}']]]);
    const removed = toBase('role-added.yaml');
    expect(
      removed.roles.map((r) => [r.role, r.status, r.grants.map((g) => `${g.kind} ${g.change}`)]),
    ).to.deep.equal([['Auditor', 'removed', ['narrow lost', 'narrow lost']]]);
  });

  it('reports a route moving from the token-cached to the per-route authorizer as neutral', () => {
    const diff = diffModels(load('files-base.yaml'), load('files-head.yaml'));
    expect(diff.routes).to.deep.equal([
      {
        kind: 'neutral',
        change: 'access-changed',
        key: 'GET /files/shared/{}/meta',
        route: 'GET /files/shared/{id}/meta',
        before: 'token: scopegateToken',
        after: 'route: scopegateRoute',
      },
    ]);
    expect(
      diff.roles.map((r) => [r.role, r.grants.map((g) => `${g.kind} ${g.change} ${g.route}`)]),
    ).to.deep.equal([
      ['User', ['narrow lost GET /files/shared/{id}/meta']],
      ['Admin', ['widen gained GET /files/{path+}', 'widen gained GET /files/shared/{id}/meta']],
    ]);
  });

  it('compares binding alternatives as sets: a narrower extra alternative is no change', () => {
    const source = (grants: string[]): string =>
      [
        'version: 1',
        'routes:',
        '  GET /o/{orgId}/u/{userId}: users',
        'roles:',
        '  User:',
        '    grants:',
        ...grants.map((g) => `      - ${g}`),
        '',
      ].join('\n');
    const one = compileScopes(source(['GET /o/{orgId=org}/u/{userId}']), 'one.yaml');
    const both = compileScopes(
      source(['GET /o/{orgId=org}/u/{userId}', 'GET /o/{orgId=org}/u/{userId=sub}']),
      'both.yaml',
    );
    const other = compileScopes(source(['GET /o/{orgId}/u/{userId=sub}']), 'other.yaml');
    expect(isEmptyDiff(diffModels(one, both))).to.equal(true);
    // Neither implies the other: one alternative granted, one revoked.
    expect(
      diffModels(one, other).roles[0]!.grants.map((g) => [g.change, g.granted, g.revoked]),
    ).to.deep.equal([
      ['widened', ['GET /o/{orgId}/u/{userId=sub}'], []],
      ['narrowed', [], ['GET /o/{orgId=org}/u/{userId}']],
    ]);
  });
});

describe('renderDiffMarkdown', () => {
  it('says "No access change." for an empty diff', () => {
    expect(renderDiffMarkdown(fromBase('reordered.yaml'))).to.equal('No access change.');
  });

  it('prints a table per role and marks each widening', () => {
    expect(renderDiffMarkdown(fromBase('binding-widened.yaml'))).to.equal(
      [
        '**Access widens**: 1 widening, 0 narrowings, 0 other changes (`base.yaml` → `binding-widened.yaml`).',
        '',
        '#### Role `User`',
        '',
        '| | Change | Route | Before | After |',
        '| --- | --- | --- | --- | --- |',
        '| **⚠️ widens** | bindings widened | `GET /users/{userId}` | `GET /users/{userId=sub}` | `GET /users/{userId}` |',
      ].join('\n'),
    );
  });

  it('prints route-level changes in their own table', () => {
    const text = renderDiffMarkdown(fromBase('route-removed.yaml'));
    expect(text).to.contain('Access does not widen: 0 widenings, 1 narrowing, 1 other change');
    expect(text).to.contain('#### Routes');
    expect(text).to.contain('| — | route removed | `DELETE /messages/{messageId}` | messages |  |');
    expect(text).to.contain(
      '| narrows | route lost | `DELETE /messages/{messageId}` | `DELETE /messages/{messageId}` | none |',
    );
  });
});

/** Random scopes files over a fixed pool of routes: every private route granted to Base, so each compiles. */
const POOL = [
  'GET /a',
  'POST /a',
  'GET /a/{id}',
  'DELETE /a/{id}',
  'GET /b/{id}/c/{cid}',
  'PUT /b/{id}/c/{cid}',
];
const CLAIMS = ['sub', 'org'];

const scopesFile = fc
  .record({
    routes: fc.subarray(POOL, { minLength: 1 }),
    publicMask: fc.array(fc.boolean(), { minLength: POOL.length, maxLength: POOL.length }),
    functions: fc.array(fc.constantFrom('messages', 'users'), {
      minLength: POOL.length,
      maxLength: POOL.length,
    }),
    roles: fc.array(
      fc.array(
        fc.record({
          route: fc.nat(POOL.length - 1),
          bind: fc.array(fc.option(fc.constantFrom(...CLAIMS)), { minLength: 2, maxLength: 2 }),
        }),
        { maxLength: 4 },
      ),
      { maxLength: 3 },
    ),
    inherit: fc.boolean(),
  })
  .map(({ routes, publicMask, functions, roles, inherit }) => {
    const isPublic = (route: string): boolean => publicMask[POOL.indexOf(route)]!;
    const bindText = (route: string, bind: (string | null)[]): string => {
      let n = 0;
      return route.replace(/\{(\w+)\}/g, (_, name: string) => {
        const claim = bind[n++];
        return claim === null || claim === undefined ? `{${name}}` : `{${name}=${claim}}`;
      });
    };
    const lines = ['version: 1', 'routes:', ...routes.map((r) => `  ${r}: ${functions[POOL.indexOf(r)]!}`)];
    const publicRoutes = routes.filter(isPublic);
    if (publicRoutes.length > 0) lines.push('public:', ...publicRoutes.map((r) => `  - ${r}`));
    const privateRoutes = routes.filter((r) => !isPublic(r));
    const list = (grants: string[]): string => `[${grants.map((g) => JSON.stringify(g)).join(', ')}]`;
    // Base holds every private route bound to the caller, so no private route is left ungranted.
    lines.push(
      'roles:',
      '  Base:',
      `    grants: ${list(privateRoutes.map((r) => r.replace(/\{(\w+)\}/g, '{$1=sub}')))}`,
    );
    roles.forEach((grants, i) => {
      const usable = grants.filter((g) => privateRoutes.includes(POOL[g.route]!));
      lines.push(`  R${i}:`);
      if (inherit && i > 0) lines.push(`    inherits: [R${i - 1}]`);
      lines.push(
        `    grants: [${usable.map((g) => JSON.stringify(bindText(POOL[g.route]!, g.bind))).join(', ')}]`,
      );
    });
    return compileScopes(`${lines.join('\n')}\n`, 'random.yaml');
  });

/** The widenings of one diff and the narrowings of another, as comparable strings. */
function changes(diff: AccessDiff, kind: 'widen' | 'narrow'): string[] {
  const routes = diff.routes.filter((c) => c.kind === kind).map((c) => `route ${c.key}`);
  const grants = diff.roles.flatMap((role) =>
    role.grants
      .filter((g) => g.kind === kind)
      .map(
        (g) => `${role.role} ${g.key} ${[...(kind === 'widen' ? g.granted : g.revoked)].sort().join(' or ')}`,
      ),
  );
  return [...routes, ...grants].sort();
}

describe('diffModels properties', () => {
  it('finds nothing between a random model and itself', () => {
    fc.assert(
      fc.property(scopesFile, (model) => isEmptyDiff(diffModels(model, model))),
      { numRuns: 200 },
    );
  });

  it('widens from a to b exactly where it narrows from b to a', () => {
    fc.assert(
      fc.property(scopesFile, scopesFile, (a, b) => {
        expect(changes(diffModels(a, b), 'widen')).to.deep.equal(changes(diffModels(b, a), 'narrow'));
        expect(widens(diffModels(a, b))).to.equal(changes(diffModels(b, a), 'narrow').length > 0);
      }),
      { numRuns: 300 },
    );
  });
});
