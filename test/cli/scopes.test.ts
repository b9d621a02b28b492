// The `scopes` command: check, routes and policy on real files, and exit code 1 with diagnostics on a bad one.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');

function scopes(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/scopes.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('scopes command', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'scopes-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('checks the repository scopes.yaml', () => {
    const run = scopes('check');
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    expect(run.stdout).to.match(
      /^scopes\.yaml: ok — 11 routes \(5 public, 6 token-cached, 0 per-route\), 2 roles; /,
    );
  });

  it('says which routes are per-route and why', () => {
    const file = write(
      'files.yaml',
      'version: 1\nroutes:\n  GET /files/{path+}: messages\n  GET /files/shared/{id}/meta: messages\nroles:\n  User:\n    grants:\n      - GET /files/{path+}\n  Admin:\n    grants:\n      - GET /files/**\nquotas:\n  authorizers: 2\n',
    );
    const run = scopes('check', file);
    expect(run.stdout).to.include(
      '  per-route: GET /files/shared/{id}/meta: an Allow for GET /files/{path+} (role User) also matches GET /files/shared/{id}/meta',
    );
    // The messages function serves none of these routes.
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include(
      'route "GET /files/{path+}" goes to function "messages", which does not serve it',
    );
  });

  it('fails on a route its function does not serve, and warns of a served route nobody declares', () => {
    const file = write(
      'unserved.yaml',
      'version: 1\nroutes:\n  GET /messages: messages\n  GET /messages/{messageId}: messages\n  POST /messages: messages\nroles:\n  User:\n    grants:\n      - GET /messages/**\n      - POST /messages\n',
    );
    const run = scopes('check', file);
    const shown = relative(ROOT, file);
    expect(run.status).to.equal(1);
    expect(run.stdout).to.match(
      /^\S+unserved\.yaml: compiles, but a function does not serve its route — 3 routes/,
    );
    expect(run.stderr.trim().split('\n')).to.deep.equal([
      `${shown}:3:18: warning: function "messages" serves "DELETE /messages/{messageId}", which is not declared: it is unreachable`,
      `${shown}:4:3: route "GET /messages/{messageId}" goes to function "messages", which does not serve it (it would answer 404). Expected one of: GET /messages, POST /messages, DELETE /messages/{messageId}`,
    ]);
  });

  it('exits 1 with every diagnostic of a bad file, and no stack trace', () => {
    const file = write('bad.yaml', 'version: 1\nroutes:\n  FETCH /a: messages\n  GET /b: nowhere\n');
    const run = scopes('check', file);
    expect(run.status).to.equal(1);
    const shown = relative(ROOT, file);
    expect(run.stderr.trim().split('\n')).to.deep.equal([
      `${shown}:3:3: method "FETCH" is not allowed. Expected one of: GET, POST, PUT, PATCH, DELETE, HEAD`,
      `${shown}:4:3: route "GET /b" is private but no role is granted it; grant it to a role or list it under public`,
      `${shown}:4:11: function "nowhere" has no handler source. Expected one of: auth, messages, users`,
    ]);
    expect(run.stderr).to.not.include('    at ');
  });

  it('lists routes as JSON', () => {
    const run = scopes('routes', '--json');
    expect(run.status).to.equal(0);
    const rows = JSON.parse(run.stdout) as {
      method: string;
      path: string;
      function: string;
      access: string;
    }[];
    expect(rows).to.deep.include({
      method: 'GET',
      path: '/users/{userId}',
      function: 'users',
      access: 'token',
      authorizer: 'scopegateToken',
    });
    expect(rows).to.have.length(11);
  });

  it('prints the result the deployed authorizer would return', () => {
    const arn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/messages';
    const run = scopes('policy', '--role', 'User', '--sub', 'alice', '--method-arn', arn);
    expect(run.status).to.equal(0);
    const result = JSON.parse(run.stdout) as {
      principalId: string;
      policyDocument: { Statement: { Resource: string[] }[] };
    };
    expect(result.principalId).to.equal('alice');
    expect(result.policyDocument.Statement[0]!.Resource).to.deep.equal([
      'arn:*:execute-api:*:*:abc123/prod/GET/messages',
      'arn:*:execute-api:*:*:abc123/prod/POST/messages',
      'arn:*:execute-api:*:*:abc123/prod/GET/users/alice',
    ]);
  });

  it('prints the policy of the authorizer deciding --route, and refuses a route that does not exist', () => {
    const run = scopes('policy', '--role', 'User', '--sub', 'alice', '--route', 'GET /messages');
    expect(run.status).to.equal(0);
    expect(run.stderr).to.equal(
      'GET /messages: the token-cached authorizer (cached per token: the result decides every token-cached route)\n',
    );
    const result = JSON.parse(run.stdout) as { policyDocument: { Statement: { Effect: string }[] } };
    expect(result.policyDocument.Statement[0]!.Effect).to.equal('Allow');
    const unknown = scopes('policy', '--role', 'User', '--route', 'GET /nope');
    expect(unknown.status).to.equal(1);
    expect(unknown.stdout).to.equal('');
    expect(unknown.stderr).to.equal(
      '--route "GET /nope" is not a route of scopes.yaml: `npm run scopes -- routes` lists them\n',
    );
  });

  it('prints the OpenAPI document with every compiled route, placeholders for the Lambda ARNs', () => {
    const run = scopes('openapi', '--ttl', '120');
    expect(run.status).to.equal(0);
    const doc = JSON.parse(run.stdout) as {
      paths: Record<
        string,
        Record<string, { security?: unknown[]; 'x-amazon-apigateway-integration'?: { uri: string } }>
      >;
      components: {
        securitySchemes: Record<
          string,
          { 'x-amazon-apigateway-authorizer': { authorizerResultTtlInSeconds: number } }
        >;
      };
    };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => m !== 'options')
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations).to.have.length(11);
    expect(doc.paths['/users/{userId}']!.get!['x-amazon-apigateway-integration']!.uri).to.include(
      'function:${prefix}-users/',
    );
    for (const scheme of Object.values(doc.components.securitySchemes)) {
      expect(scheme['x-amazon-apigateway-authorizer'].authorizerResultTtlInSeconds).to.equal(120);
    }
    expect(scopes('openapi', '--ttl', '7200').status).to.equal(2);
  });

  it('rejects an unknown command with usage and exit 2', () => {
    const run = scopes('frobnicate');
    expect(run.status).to.equal(2);
    expect(run.stderr).to.include('unknown command "frobnicate"');
    expect(run.stderr).to.include('Usage: npm run scopes');
  });
});
