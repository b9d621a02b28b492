import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_METHOD_ARN, policyCommand, samplePath } from '../../cli/policy-command';
import { authorize, compileScopes, type CompiledModel } from '../../policies';

const shipped = compileScopes(readFileSync(join(__dirname, '../../scopes.yaml'), 'utf8'), 'scopes.yaml');
// With one token-cached authorizer, GET /files/shared/{id}/meta needs the per-route one (an Allow for the greedy
// route reaches it).
const perRoute = compileScopes(
  `version: 1
routes:
  GET /files/{path+}: messages
  GET /files/shared/{id}/meta: messages
  GET /files/shared/id/meta: messages
quotas: { authorizers: 2 }
roles:
  User:
    grants:
      - GET /files/{path+}
  Admin:
    grants:
      - GET /files/**
`,
  'files.yaml',
);
const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/';
const user = { principalId: 'alice', roles: ['User'], claims: { sub: 'alice' } };
const route = (model: CompiledModel, key: string) =>
  model.routes.find((r) => `${r.method} ${r.path}` === key)!;

describe('policyCommand', () => {
  it('answers a token-cached route as the token-cached authorizer asked on that route does', () => {
    const answer = policyCommand(shipped, {
      roles: ['User'],
      sub: 'alice',
      claims: {},
      route: 'GET /messages',
    });
    expect(answer.note).to.equal(
      'GET /messages: the token-cached authorizer (cached per token: the result decides every token-cached route)',
    );
    const expected = authorize(shipped, user, { methodArn: `${PREFIX}GET/messages` });
    expect(JSON.parse(answer.result!)).to.deep.equal(expected);
    expect(expected.policyDocument.Statement[0]).to.deep.include({ Effect: 'Allow' });
  });

  it('answers a per-route route as the per-route authorizer does, for that route', () => {
    expect(route(perRoute, 'GET /files/shared/{id}/meta').access).to.equal('route');
    const answer = policyCommand(perRoute, {
      roles: ['Admin'],
      sub: 'alice',
      claims: {},
      route: 'GET /files/shared/{id}/meta',
    });
    expect(answer.note).to.equal(
      'GET /files/shared/{id}/meta: the per-route authorizer (cached per token, method and path: the result decides this route)',
    );
    const expected = authorize(
      perRoute,
      { ...user, roles: ['Admin'] },
      {
        methodArn: `${PREFIX}GET/files/shared/id-1/meta`,
        resourcePath: '/files/shared/{id}/meta',
        httpMethod: 'GET',
      },
    );
    expect(JSON.parse(answer.result!)).to.deep.equal(expected);
    expect(expected.policyDocument.Statement[0]!.Effect).to.equal('Allow');
  });

  it('says that no authorizer runs for a public route', () => {
    const answer = policyCommand(shipped, { roles: [], sub: 'x', claims: {}, route: 'POST /auth/token' });
    expect(answer).to.deep.equal({
      note: 'POST /auth/token is public: no authorizer runs, every request reaches auth',
    });
  });

  it('refuses a route scopes.yaml does not declare, and a malformed one', () => {
    expect(() =>
      policyCommand(shipped, { roles: ['User'], sub: 'x', claims: {}, route: 'GET /nope' }),
    ).to.throw('--route "GET /nope" is not a route of scopes.yaml: `npm run scopes -- routes` lists them');
    expect(() =>
      policyCommand(shipped, { roles: ['User'], sub: 'x', claims: {}, route: '/messages' }),
    ).to.throw('--route expects "METHOD /path", got "/messages"');
  });

  it('without --route answers as the token-cached authorizer on the given method ARN', () => {
    const methodArn = `${PREFIX}POST/messages`;
    const answer = policyCommand(shipped, {
      roles: ['User'],
      sub: 'alice',
      claims: { team: 'a' },
      methodArn,
    });
    const expected = authorize(shipped, { ...user, claims: { sub: 'alice', team: 'a' } }, { methodArn });
    expect(JSON.parse(answer.result!)).to.deep.equal(expected);
  });

  it('without --route or --method-arn answers as on the first token-cached route', () => {
    const first = shipped.routes.find((r) => r.access === 'token')!;
    const key = `${first.method} ${first.path}`;
    const answer = policyCommand(shipped, { roles: ['User'], sub: 'alice', claims: {} });
    expect(answer).to.deep.equal(
      policyCommand(shipped, { roles: ['User'], sub: 'alice', claims: {}, route: key }),
    );
    expect(answer.note).to.match(/: the token-cached authorizer/);
    expect(DEFAULT_METHOD_ARN.startsWith(PREFIX)).to.equal(true);
  });

  it('puts a request path that reaches the route into the method ARN', () => {
    expect(samplePath(shipped, route(shipped, 'GET /users/{userId}'))).to.equal('/users/userId');
    // A literal route would take /files/shared/id/meta: another value reaches the parameter route.
    expect(samplePath(perRoute, route(perRoute, 'GET /files/shared/{id}/meta'))).to.equal(
      '/files/shared/id-1/meta',
    );
    expect(samplePath(perRoute, route(perRoute, 'GET /files/{path+}'))).to.equal('/files/path');
  });
});
