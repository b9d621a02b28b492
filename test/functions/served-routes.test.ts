// Each function serves exactly the routes it declares, and the shipped scopes.yaml sends each function only those.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'chai';
import { join } from 'node:path';
import { checkRouteCoverage, listFunctionFolders, servedRoutes } from '../../infra/scopes';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { proxyEvent } from './lib/events';

const ROOT = join(__dirname, '../..');
const FUNCTIONS_DIR = join(ROOT, 'functions');
const ADMIN = { sub: 'admin-1', roles: 'Admin User' };

describe('the routes each function declares', () => {
  let stack: LocalStack;
  before(async () => {
    stack = await startLocalStack({
      port: 0,
      scopesFile: join(ROOT, 'scopes.yaml'),
      watch: false,
      passwordParams: { logN: 10, r: 8, p: 1 },
      adminPassword: 'admin password for tests',
    });
  });
  after(() => stack.close());

  const call = async (fn: string, route: string): Promise<APIGatewayProxyResult> => {
    const [method, resource] = route.split(' ') as [string, string];
    const path = resource.replace(/\{[^}]+\}/g, 'x1');
    const handler = stack.runtime().handlers.get(fn)!;
    return (await handler.handle(
      proxyEvent({ method, resource, path, caller: ADMIN, body: {} }),
    )) as APIGatewayProxyResult;
  };

  it('are declared by every function with a route table', () => {
    const served = servedRoutes(FUNCTIONS_DIR, listFunctionFolders(FUNCTIONS_DIR));
    expect(Object.keys(served).sort()).to.deep.equal(listFunctionFolders(FUNCTIONS_DIR));
  });

  it('are served: none is answered as an unknown route', async () => {
    const served = servedRoutes(FUNCTIONS_DIR, listFunctionFolders(FUNCTIONS_DIR));
    for (const [fn, routes] of Object.entries(served)) {
      for (const route of routes!) {
        const response = await call(fn, route);
        const body = response.body;
        expect(body, `${fn} ${route}`).not.to.match(/no route|"not_found"|"method_not_allowed"/);
      }
    }
  });

  it('are the only ones served: another route is answered as unknown', async () => {
    expect((await call('messages', 'GET /messages/{messageId}')).body).to.equal(
      '{"error":"no route GET /messages/{messageId}"}',
    );
    expect((await call('users', 'DELETE /users/{userId}')).statusCode).to.equal(404);
    // The token service answers in its one error shape, OAuth2's.
    const nowhere = await call('auth', 'GET /auth/nowhere');
    expect([nowhere.statusCode, JSON.parse(nowhere.body)]).to.deep.equal([
      404,
      { error: 'not_found', error_description: 'no such endpoint' },
    ]);
    const wrongMethod = await call('auth', 'DELETE /auth/token');
    expect([wrongMethod.statusCode, JSON.parse(wrongMethod.body)]).to.deep.equal([
      405,
      { error: 'method_not_allowed', error_description: 'DELETE is not allowed here' },
    ]);
  });

  it('match the shipped scopes.yaml both ways', () => {
    const file = join(ROOT, 'scopes.yaml');
    expect(checkRouteCoverage(file, stack.model(), FUNCTIONS_DIR)).to.deep.equal({
      errors: [],
      warnings: [],
    });
  });
});
