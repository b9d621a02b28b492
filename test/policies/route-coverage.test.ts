import { expect } from 'chai';
import { compileScopes } from '../../policies';
import { routeCoverage } from '../../policies/route-coverage';

const SOURCE = `version: 1
routes:
  GET /messages: messages
  GET /messages/{messageId}: messages
  GET /users/{id}: users
  GET /health: status
public:
  - GET /health
roles:
  User:
    grants:
      - GET /messages/**
      - GET /users/{id}
`;
const model = compileScopes(SOURCE, 'scopes.yaml');
const SERVED = {
  messages: ['GET /messages', 'POST /messages'],
  users: ['GET /users/{userId}'],
};

describe('routeCoverage', () => {
  it('reports each declared route its function does not serve, at the route', () => {
    expect(routeCoverage(model, SERVED, SOURCE).errors).to.deep.equal([
      {
        file: 'scopes.yaml',
        line: 4,
        column: 3,
        message:
          'route "GET /messages/{messageId}" goes to function "messages", which does not serve it (it would answer 404). Expected one of: GET /messages, POST /messages',
      },
      {
        // Parameter names count: the handler sees API Gateway's template, `/users/{id}`.
        file: 'scopes.yaml',
        line: 5,
        column: 3,
        message:
          'route "GET /users/{id}" goes to function "users", which does not serve it (it would answer 404). Expected one of: GET /users/{userId}',
      },
    ]);
  });

  it('warns of served routes nobody declares, and of a function that declares nothing', () => {
    expect(routeCoverage(model, SERVED, SOURCE).warnings).to.deep.equal([
      {
        file: 'scopes.yaml',
        line: 3,
        column: 18,
        message: 'function "messages" serves "POST /messages", which is not declared: it is unreachable',
      },
      {
        file: 'scopes.yaml',
        line: 5,
        column: 20,
        message: 'function "users" serves "GET /users/{userId}", which is not declared: it is unreachable',
      },
      {
        file: 'scopes.yaml',
        line: 6,
        column: 16,
        message:
          'function "status" declares no routes it serves (an exported `routes` list), so its routes are not checked',
      },
    ]);
  });

  it('names the function a served route is declared for instead', () => {
    const moved = compileScopes(
      'version: 1\nroutes:\n  GET /a: one\n  GET /b: two\nroles:\n  R:\n    grants: [GET /a, GET /b]\n',
      'moved.yaml',
    );
    const coverage = routeCoverage(moved, { one: ['GET /a', 'GET /b'], two: ['GET /b'] });
    expect(coverage.errors).to.deep.equal([]);
    expect(coverage.warnings).to.deep.equal([
      {
        file: 'moved.yaml',
        line: 3,
        column: 1,
        message: 'function "one" serves "GET /b", which is declared for function "two"',
      },
    ]);
  });

  it('finds nothing to report when every function serves exactly its routes', () => {
    const served = {
      messages: ['GET /messages', 'GET /messages/{messageId}'],
      users: ['GET /users/{id}'],
      status: ['GET /health'],
    };
    expect(routeCoverage(model, served, SOURCE)).to.deep.equal({ errors: [], warnings: [] });
  });
});
