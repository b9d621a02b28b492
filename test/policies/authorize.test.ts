// authorize: the token-cached and per-route answers, bound claims, and the cache-bug scenario on scopes.yaml.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authorize, compileScopes, matchRoute, type CompiledModel } from '../../policies';
import { iamAllows } from '../support/iam-oracle';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/';
const arn = (methodAndPath: string): string => PREFIX + methodAndPath.replace(' /', '/');
/** Policy resources name the API and stage; partition, region and account are the same for every request. */
const RESOURCE_PREFIX = 'arn:*:execute-api:*:*:abc123/prod/';
const resource = (methodAndPath: string): string => RESOURCE_PREFIX + methodAndPath.replace(' /', '/');

describe('authorize', () => {
  let model: CompiledModel;
  before(() => {
    model = compileScopes(readFileSync(join(__dirname, '../../scopes.yaml'), 'utf8'));
  });

  const caller = (roles: string[], claims: Record<string, unknown> = { sub: 'alice' }) => ({
    principalId: typeof claims.sub === 'string' ? claims.sub : 'p',
    roles,
    claims,
  });

  it('allows a User exactly their routes, with their own profile bound to sub', () => {
    const result = authorize(model, caller(['User']), { methodArn: arn('GET /messages') });
    expect(result.principalId).to.equal('alice');
    expect(result.context).to.deep.equal({ sub: 'alice', roles: 'User' });
    expect(result.policyDocument).to.deep.equal({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: [resource('GET /messages'), resource('POST /messages'), resource('GET /users/alice')],
        },
      ],
    });
  });

  it('answers the cache-bug scenario: the policy got on one route decides every other route right', () => {
    const paths = [
      ['GET /messages', true],
      ['POST /messages', true],
      ['DELETE /messages/m1', false],
      ['GET /users', false],
      ['GET /users/alice', true],
      ['GET /users/bob', false],
      ['PUT /users/alice/roles', false],
    ] as const;
    for (const [first] of paths) {
      const policy = authorize(model, caller(['User']), { methodArn: arn(first) }).policyDocument;
      for (const [request, allowed] of paths)
        expect(iamAllows(policy, arn(request)), `${first} then ${request}`).to.equal(allowed);
    }
    const admin = authorize(model, caller(['Admin']), { methodArn: arn('GET /users/bob') }).policyDocument;
    for (const [request] of paths) expect(iamAllows(admin, arn(request)), request).to.equal(true);
  });

  for (const [what, sub] of [
    ['a *', 'a*'],
    ['a /', 'alice/roles'],
    ['a ?', 'alic?'],
    ['nothing', ''],
    ['129 characters', 'a'.repeat(129)],
    ['a number', 42],
  ] as const) {
    it(`grants nothing through a binding when the claim holds ${what}`, () => {
      const policy = authorize(model, caller(['User'], { sub }), {
        methodArn: arn('GET /messages'),
      }).policyDocument;
      const resources = policy.Statement.flatMap((s) => s.Resource);
      expect(resources).to.deep.equal([resource('GET /messages'), resource('POST /messages')]);
      expect(iamAllows(policy, arn('GET /users/alice'))).to.equal(false);
    });
  }

  it('ignores roles scopes.yaml does not know, and denies everything when none is left', () => {
    const result = authorize(model, caller(['Owner', 'root']), { methodArn: arn('GET /messages') });
    expect(result.context.roles).to.equal('');
    expect(result.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${RESOURCE_PREFIX}*`] },
    ]);
  });

  it('denies everything for a method ARN it cannot read', () => {
    const result = authorize(model, caller(['Admin']), { methodArn: 'arn:aws:s3:::bucket/key' });
    expect(result.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['*'] },
    ]);
  });

  it('answers for the token-cached authorizer of the route the method ARN names, and denies an unknown route', () => {
    const unknown = authorize(model, caller(['Admin']), { methodArn: arn('GET /nowhere') });
    expect(unknown.policyDocument.Statement).to.deep.equal([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['*'] },
    ]);
    const publicRoute = authorize(model, caller(['Admin']), { methodArn: arn('POST /auth/token') });
    expect(publicRoute.policyDocument.Statement[0]!.Effect).to.equal('Deny');
  });

  it("keeps one caller's claims out of the next caller's policy with the same roles", () => {
    authorize(model, caller(['User'], { sub: 'alice' }), { methodArn: arn('GET /messages') });
    const bob = authorize(model, caller(['User'], { sub: 'bob' }), {
      methodArn: arn('GET /messages'),
    }).policyDocument;
    expect(iamAllows(bob, arn('GET /users/bob'))).to.equal(true);
    expect(iamAllows(bob, arn('GET /users/alice'))).to.equal(false);
  });

  describe('per-route answers', () => {
    let files: CompiledModel;
    before(() => {
      files = compileScopes(
        [
          'version: 1',
          'routes:',
          '  GET /files/{path+}: fn',
          '  GET /files/shared/{id}/meta: fn',
          'quotas: { authorizers: 2 }',
          'roles:',
          '  User:',
          '    grants:',
          '      - GET /files/{path+}',
          '  Owner:',
          '    grants:',
          '      - GET /files/shared/{id=sub}/meta',
          '  Admin:',
          '    grants:',
          '      - GET /files/**',
        ].join('\n'),
      );
    });

    const ask = (roles: string[], sub: string) =>
      authorize(files, caller(roles, { sub }), {
        methodArn: arn('GET /files/shared/f1/meta'),
        resourcePath: '/files/shared/{id}/meta',
        httpMethod: 'GET',
      }).policyDocument;

    it('decides only the route asked, for every value of its parameters', () => {
      expect(files.routes[1]!.access).to.equal('route');
      expect(iamAllows(ask(['Admin'], 'x'), arn('GET /files/shared/any/meta'))).to.equal(true);
      expect(iamAllows(ask(['User'], 'x'), arn('GET /files/shared/f1/meta'))).to.equal(false);
      const owner = ask(['Owner'], 'f1');
      expect(iamAllows(owner, arn('GET /files/shared/f1/meta'))).to.equal(true);
      expect(iamAllows(owner, arn('GET /files/shared/f2/meta'))).to.equal(false);
    });

    it('denies a route that is not per-route or not declared', () => {
      for (const [resourcePath, httpMethod] of [
        ['/files/{path+}', 'GET'],
        ['/files/shared/{id}/meta', 'POST'],
        ['/nope', 'GET'],
      ] as const) {
        const policy = authorize(files, caller(['Admin'], { sub: 'x' }), {
          methodArn: arn('GET /files/shared/a/meta'),
          resourcePath,
          httpMethod,
        }).policyDocument;
        expect(policy.Statement).to.deep.equal([
          { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['*'] },
        ]);
      }
    });

    it('routes requests the way the policy assumes', () => {
      expect(matchRoute(files, 'GET', '/files/shared/a/meta')?.route.path).to.equal(
        '/files/shared/{id}/meta',
      );
      expect(matchRoute(files, 'GET', '/files/a/b/meta')?.route.path).to.equal('/files/{path+}');
    });
  });
});
