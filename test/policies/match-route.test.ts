// matchRoute: API Gateway's precedence (literal > {param} > {greedy+}), resource first, then method.
import { expect } from 'chai';
import { compileScopes, matchRoute } from '../../policies';

describe('matchRoute', () => {
  const model = compileScopes(
    [
      'version: 1',
      'routes:',
      '  GET /: fn',
      '  GET /users/me: fn',
      '  GET /users/{userId}: fn',
      '  POST /users/{userId}: fn',
      '  GET /users/{userId}/keys: fn',
      '  GET /docs/me/keys: fn',
      '  GET /docs/{path+}: fn',
      'public: [GET /]',
      'roles:',
      '  R:',
      '    grants: ["* /users/**", "GET /docs/**"]',
    ].join('\n'),
  );
  const match = (method: string, path: string) => {
    const m = matchRoute(model, method, path);
    return m && { route: `${m.route.method} ${m.route.path}`, params: m.pathParameters };
  };

  it('prefers a literal segment over a parameter', () => {
    expect(match('GET', '/users/me')).to.deep.equal({ route: 'GET /users/me', params: {} });
    expect(match('GET', '/users/42')).to.deep.equal({
      route: 'GET /users/{userId}',
      params: { userId: '42' },
    });
  });

  it('prefers a literal over a greedy parameter, and backtracks to the greedy one when the rest does not fit', () => {
    expect(match('GET', '/users/42/keys')).to.deep.equal({
      route: 'GET /users/{userId}/keys',
      params: { userId: '42' },
    });
    expect(match('GET', '/users/42/other')).to.equal(undefined);
    expect(match('GET', '/docs/me/keys')).to.deep.equal({ route: 'GET /docs/me/keys', params: {} });
    expect(match('GET', '/docs/me/other')).to.deep.equal({
      route: 'GET /docs/{path+}',
      params: { path: 'me/other' },
    });
    expect(match('GET', '/docs/a/b/c')).to.deep.equal({
      route: 'GET /docs/{path+}',
      params: { path: 'a/b/c' },
    });
  });

  it('resolves the resource first: a method the resource lacks is no route, as API Gateway answers 403', () => {
    expect(match('POST', '/users/me')).to.equal(undefined);
    expect(match('POST', '/users/42')).to.deep.equal({
      route: 'POST /users/{userId}',
      params: { userId: '42' },
    });
    expect(match('DELETE', '/users/42')).to.equal(undefined);
  });

  it('matches the root, and nothing for undeclared or malformed paths', () => {
    expect(match('GET', '/')).to.deep.equal({ route: 'GET /', params: {} });
    expect(match('GET', '/nope')).to.equal(undefined);
    expect(match('GET', '/users')).to.equal(undefined);
    expect(match('GET', '/users//keys')).to.equal(undefined);
    expect(match('GET', 'users/42')).to.equal(undefined);
  });
});
