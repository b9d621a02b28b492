// reach: which routes' requests an IAM resource glob matches, with `*` crossing `/` and API Gateway routing.
import { expect } from 'chai';
import { compileScopes } from '../../policies';
import { reach, templateGlob, type GlobToken } from '../../policies/reach';
import { buildRouteTree } from '../../policies/route-tree';

describe('reach', () => {
  const model = compileScopes(
    [
      'version: 1',
      'routes:',
      '  GET /: fn',
      '  GET /a: fn',
      '  POST /a: fn',
      '  GET /{p}/a: fn',
      '  GET /users/me: fn',
      '  GET /users/{id}: fn',
      '  GET /users/{id}/keys: fn',
      '  GET /files/{path+}: fn',
      'roles:',
      '  R:',
      '    grants: ["* /**"]',
    ].join('\n'),
  );
  const tree = buildRouteTree(model.routes);
  const names = (tokens: GlobToken[]) =>
    reach(tree, tokens).map((id) => `${model.routes[id]!.method} ${model.routes[id]!.path}`);
  const lit = (value: string): GlobToken => ({ kind: 'literal', value });
  const star: GlobToken = { kind: 'star' };

  it('lets `*` cross `/`: GET/users/* reaches the route below as well', () => {
    expect(names(templateGlob('GET', model.routes[5]!.segments))).to.have.members([
      'GET /users/me',
      'GET /users/{id}',
      'GET /users/{id}/keys',
    ]);
  });

  it('keeps a bound segment within one segment', () => {
    const bound = templateGlob('GET', model.routes[5]!.segments, new Set(['id']));
    expect(names(bound)).to.have.members(['GET /users/me', 'GET /users/{id}']);
  });

  it('lets a leading `*` cross from the method into the path', () => {
    // `*/a` matches `POST/a`, but also `GET/x/a`, `GET/users/a` and `GET/files/a`.
    expect(names([star, lit('a')])).to.have.members([
      'GET /a',
      'POST /a',
      'GET /{p}/a',
      'GET /users/{id}',
      'GET /files/{path+}',
    ]);
  });

  it('matches the root route with `GET/*`, and a greedy route at any depth', () => {
    expect(names([lit('GET'), star])).to.include.members(['GET /', 'GET /files/{path+}']);
    expect(names([lit('GET'), lit('files'), star])).to.deep.equal(['GET /files/{path+}']);
  });

  it('reaches nothing for a method without routes', () => {
    expect(names([lit('DELETE'), star])).to.deep.equal([]);
  });
});
