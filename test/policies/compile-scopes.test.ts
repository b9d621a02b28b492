// compileScopes: the compiled model of a valid file, and one exact diagnostic for every rule a file can break.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileScopes, ScopesError, type CompiledModel } from '../../policies';

const FUNCTIONS = ['fn', 'auth'];

/** The diagnostics of a file that must not compile, formatted `file:line:col: message`. */
function diagnostics(source: string): string[] {
  try {
    compileScopes(source, 'scopes.yaml', { functions: FUNCTIONS });
  } catch (error) {
    expect(error).to.be.instanceOf(ScopesError);
    const scopesError = error as ScopesError;
    expect(scopesError.message).to.equal(
      scopesError.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'),
    );
    return scopesError.message.split('\n');
  }
  return expect.fail('the file compiled');
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

describe('compileScopes', () => {
  describe('the repository scopes.yaml', () => {
    let model: CompiledModel;
    before(() => {
      model = compileScopes(readFileSync(join(__dirname, '../../scopes.yaml'), 'utf8'));
    });

    it('lists every route with its function and access', () => {
      const row = (method: string, path: string) =>
        model.routes.find((r) => r.method === method && r.path === path);
      expect(row('POST', '/auth/token')).to.include({ function: 'auth', access: 'public' });
      expect(row('GET', '/messages')).to.include({ function: 'messages', access: 'token' });
      expect(row('GET', '/users/{userId}')).to.include({ function: 'users', access: 'token' });
      expect(model.routes.map((r) => r.id)).to.deep.equal(model.routes.map((_, i) => i));
    });

    it('resolves inheritance: Admin holds what User holds, unbound where Admin grants it unbound', () => {
      const admin = model.roles.find((r) => r.name === 'Admin')!;
      const user = model.roles.find((r) => r.name === 'User')!;
      const profile = model.routes.find((r) => r.method === 'GET' && r.path === '/users/{userId}')!.id;
      expect(user.grants.find((g) => g.route === profile)!.bindings).to.deep.equal([{ userId: 'sub' }]);
      expect(admin.grants.find((g) => g.route === profile)!.bindings).to.deep.equal([{}]);
      expect(admin.grants.find((g) => g.route === profile)!.via.map((v) => v.role)).to.have.members([
        'Admin',
        'User',
      ]);
      for (const g of user.grants) expect(admin.grants.map((a) => a.route)).to.include(g.route);
    });

    it('is plain data: it survives a JSON round trip unchanged', () => {
      expect(JSON.parse(JSON.stringify(model))).to.deep.equal(model);
    });
  });

  it('lets `/**` reach every private route below a prefix and never a public one', () => {
    const model = compileScopes(
      lines(
        'version: 1',
        'routes:',
        '  GET /: fn',
        '  GET /a: fn',
        '  POST /a/{id}: fn',
        '  GET /a/{id}/b: fn',
        '  GET /open: fn',
        'public: [GET /open]',
        'roles:',
        '  R:',
        '    grants: ["* /**"]',
        '  S:',
        '    grants: ["GET /a/**"]',
      ),
    );
    const routesOf = (role: string) =>
      model.roles
        .find((r) => r.name === role)!
        .grants.map((g) => `${model.routes[g.route]!.method} ${model.routes[g.route]!.path}`);
    expect(routesOf('R')).to.deep.equal(['GET /', 'GET /a', 'POST /a/{id}', 'GET /a/{id}/b']);
    expect(routesOf('S')).to.deep.equal(['GET /a', 'GET /a/{id}/b']);
  });

  describe('rejects', () => {
    it('invalid YAML', () => {
      expect(diagnostics(lines('version: 1', 'routes:', '  GET /a: fn', '  bad: ['))).to.deep.equal([
        'scopes.yaml:5:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ]);
    });

    it('a key given twice', () => {
      expect(diagnostics(lines('version: 1', 'routes:', '  GET /a: fn', '  GET /a: fn'))).to.deep.equal([
        'scopes.yaml:4:3: key "GET /a" is given twice (first at line 3)',
      ]);
    });

    it('a document that is not a mapping', () => {
      expect(diagnostics('')).to.deep.equal([
        'scopes.yaml:1:1: expected a mapping with version, routes, public and roles',
      ]);
    });

    it('an unknown version', () => {
      expect(diagnostics(lines('version: 2', 'routes:', '  GET /a: fn'))).to.deep.equal([
        'scopes.yaml:1:10: unsupported version 2. Expected: 1',
      ]);
    });

    it('every schema violation at once', () => {
      const source = lines(
        'version: 1',
        'routes:',
        '  GET /a: Fn',
        '  GET /b: 3',
        'extra: 1',
        'roles:',
        '  bad name:',
        '    grants: x',
        '    foo: 1',
        'public: [GET /a, GET /a]',
      );
      expect(diagnostics(source)).to.deep.equal([
        'scopes.yaml:3:11: function name "Fn" is not valid. Expected a lowercase letter, then lowercase letters, digits or - (at most 48)',
        'scopes.yaml:4:11: routes["GET /b"] must be a string',
        'scopes.yaml:5:1: unknown key "extra". Expected one of: version, routes, public, roles, quotas',
        'scopes.yaml:7:3: role name "bad name" is not valid. Expected an OAuth 2.0 scope token: 1 to 128 printable ASCII characters other than space, " and \\',
        'scopes.yaml:8:13: roles["bad name"].grants must be a list',
        'scopes.yaml:9:5: unknown key "foo" in roles["bad name"]. Expected one of: description, inherits, grants',
        'scopes.yaml:10:18: public lists "GET /a" twice',
      ]);
    });

    it('a missing version or an empty routes mapping', () => {
      expect(diagnostics(lines('routes:', '  GET /a: fn'))).to.deep.equal([
        'scopes.yaml:1:1: missing key "version"',
      ]);
      expect(diagnostics(lines('version: 1', 'routes: {}'))).to.deep.equal([
        'scopes.yaml:2:9: routes must declare at least one route',
      ]);
    });

    it('malformed routes: method, OPTIONS, path, empty segment, greedy not last, repeated parameter, characters', () => {
      const source = lines(
        'version: 1',
        'routes:',
        '  FETCH /a: fn',
        '  OPTIONS /b: fn',
        '  GET a: fn',
        '  GET /a//b: fn',
        '  GET /a/{p+}/b: fn',
        '  GET /a/{x}/{x}: fn',
        '  GET /a b: fn',
        '  GET /a/$: fn',
      );
      expect(diagnostics(source)).to.deep.equal([
        'scopes.yaml:3:3: method "FETCH" is not allowed. Expected one of: GET, POST, PUT, PATCH, DELETE, HEAD',
        'scopes.yaml:4:3: method "OPTIONS" is reserved for CORS preflight',
        'scopes.yaml:5:3: path "a" must start with "/"',
        'scopes.yaml:6:3: path "/a//b" has an empty segment',
        'scopes.yaml:7:3: greedy parameter {p+} in "/a/{p+}/b" must be the last segment',
        'scopes.yaml:8:3: parameter {x} appears twice in "/a/{x}/{x}"',
        'scopes.yaml:9:3: route "GET /a b" is not valid. Expected "METHOD /path"',
        'scopes.yaml:10:3: path segment "$" in "/a/$" is not valid. Expected a literal of letters, digits and -._~, {name} or {name+}',
      ]);
    });

    it('a route declared twice and sibling parameters with different names', () => {
      const source = lines(
        'version: 1',
        'routes:',
        '  GET /u/{id}: fn',
        '  GET /u/{userId}: fn',
        '  GET /v/{a}: fn',
        '  POST /v/{b}/c: fn',
        'roles:',
        '  R:',
        '    grants: ["* /**"]',
      );
      expect(diagnostics(source)).to.deep.equal([
        'scopes.yaml:4:3: route "GET /u/{userId}" is declared twice (first as "GET /u/{id}" at line 3)',
        'scopes.yaml:6:3: parameter {b} in "POST /v/{b}/c" conflicts with {a} at the same position in "GET /v/{a}" (line 5); API Gateway allows one name per position',
      ]);
    });

    it('bad grants, an undeclared public route, unknown and cyclic inherits', () => {
      const source = lines(
        'version: 1',
        'routes:',
        '  GET /a: fn',
        '  POST /t: auth',
        '  GET /f/{p}/{q}/{r+}: fn',
        'public: [POST /t, GET /nope]',
        'roles:',
        '  R:',
        '    inherits: [X]',
        '    grants:',
        '      - GET /b',
        '      - POST /t',
        '      - FETCH /a',
        '      - GET /a/**/b',
        '      - GET /f/{p}/{q=sub}/{r+}',
        '      - GET /a',
        '      - GET /f/{p=sub}/{q}/{r+}',
        '  A:',
        '    inherits: [B]',
        '  B:',
        '    inherits: [A]',
        '  C:',
        '    inherits: [C]',
      );
      expect(diagnostics(source)).to.deep.equal([
        'scopes.yaml:6:19: public route "GET /nope" is not declared under routes',
        'scopes.yaml:9:16: role "R" inherits unknown role "X". Expected one of: R, A, B, C',
        'scopes.yaml:11:9: grant "GET /b" matches no declared private route',
        'scopes.yaml:12:9: grant "POST /t" names public route "POST /t"; public routes need no grant',
        'scopes.yaml:13:9: method "FETCH" is not allowed. Expected one of: *, GET, POST, PUT, PATCH, DELETE, HEAD',
        'scopes.yaml:14:9: "**" in "/a/**/b" may only end the path',
        'scopes.yaml:15:9: binding {q=sub} in "GET /f/{p}/{q=sub}/{r+}" cannot be exact on "GET /f/{p}/{q}/{r+}": with a greedy parameter, every parameter before a bound one must be bound too',
        'scopes.yaml:21:16: role "B" inherits itself: B -> A -> B',
        'scopes.yaml:23:16: role "C" inherits itself: C -> C',
      ]);
    });

    it('a private route no role can reach', () => {
      expect(
        diagnostics(
          lines(
            'version: 1',
            'routes:',
            '  GET /a: fn',
            '  GET /b: fn',
            'roles:',
            '  R:',
            '    grants: [GET /a]',
          ),
        ),
      ).to.deep.equal([
        'scopes.yaml:4:3: route "GET /b" is private but no role is granted it; grant it to a role or list it under public',
      ]);
    });

    it('a bad binding without a follow-on error for its route, but with one for an unrelated route', () => {
      const source = lines(
        'version: 1',
        'routes:',
        '  GET /f/{p}/{q}/{r+}: fn',
        '  GET /lonely: fn',
        'roles:',
        '  R:',
        '    grants:',
        '      - GET /f/{p}/{q=sub}/{r+}',
      );
      expect(diagnostics(source)).to.deep.equal([
        'scopes.yaml:4:3: route "GET /lonely" is private but no role is granted it; grant it to a role or list it under public',
        'scopes.yaml:8:9: binding {q=sub} in "GET /f/{p}/{q=sub}/{r+}" cannot be exact on "GET /f/{p}/{q}/{r+}": with a greedy parameter, every parameter before a bound one must be bound too',
      ]);
    });

    it('a function with no handler source', () => {
      expect(
        diagnostics(
          lines('version: 1', 'routes:', '  GET /a: nope', 'roles:', '  R:', '    grants: [GET /a]'),
        ),
      ).to.deep.equal(['scopes.yaml:3:11: function "nope" has no handler source. Expected one of: auth, fn']);
    });
  });
});
