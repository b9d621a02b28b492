// buildAccessMatrix: the cells and the why of each, read from compiled models of known files.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildAccessMatrix,
  combinedKind,
  type AccessMatrix,
  type MatrixCell,
} from '../../policies/access-matrix';
import { compileScopes } from '../../policies/index';

const ROOT = join(__dirname, '../..');

/** Three levels of inheritance, a binding, two alternatives, a greedy route that forces a per-route authorizer. */
const SOURCE = `version: 1
routes:
  GET /health: ops
  GET /docs/{path+}: docs
  GET /docs/drafts/{owner}: docs
  GET /teams/{teamId}/members/{userId}: teams
  DELETE /teams/{teamId}: teams
public:
  - GET /health
roles:
  Member:
    grants:
      - GET /teams/{teamId=team}/members/{userId}
      - GET /teams/{teamId}/members/{userId=sub}
      - GET /docs/drafts/{owner=sub}
  Lead:
    inherits: [Member]
    grants:
      - DELETE /teams/{teamId=team}
  Owner:
    inherits: [Lead]
    grants:
      - '* /teams/**'
  Reader:
    grants:
      - GET /docs/{path+}
quotas:
  authorizers: 2 # one token-cached authorizer: the conflict goes per route
`;

function cell(matrix: AccessMatrix, route: string, role: string): MatrixCell {
  const row = matrix.rows.find((r) => `${r.method} ${r.path}` === route);
  const found = row?.cells.find((c) => c.role === role);
  if (found === undefined) throw new Error(`no cell ${route} / ${role}`);
  return found;
}

describe('buildAccessMatrix', () => {
  const matrix = buildAccessMatrix(compileScopes(SOURCE, 'known.yaml'));

  it('has one row per route in declaration order and one column per role', () => {
    expect(matrix.rows.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
      'GET /health',
      'GET /docs/{path+}',
      'GET /docs/drafts/{owner}',
      'GET /teams/{teamId}/members/{userId}',
      'DELETE /teams/{teamId}',
    ]);
    expect(matrix.roles.map((r) => r.name)).to.deep.equal(['Member', 'Lead', 'Owner', 'Reader']);
    for (const row of matrix.rows)
      expect(row.cells.map((c) => c.role)).to.deep.equal(['Member', 'Lead', 'Owner', 'Reader']);
  });

  it('marks a public route public for every role', () => {
    expect(matrix.rows[0]!.cells.map((c) => c.kind)).to.deep.equal(['public', 'public', 'public', 'public']);
    expect(matrix.rows[0]!.authorizer).to.equal('public: no authorizer runs; anyone may call it');
  });

  it('marks a bound grant as own, with every alternative binding', () => {
    const member = cell(matrix, 'GET /teams/{teamId}/members/{userId}', 'Member');
    expect(member.kind).to.equal('own');
    expect(member.bindings).to.deep.equal([{ teamId: 'team' }, { userId: 'sub' }]);
    expect(member.why).to.include(
      `only where {teamId} equals the caller's "team" claim, or where {userId} equals the caller's "sub" claim`,
    );
  });

  it('resolves inheritance: a bound grant stays own for the heir, an unbound one overrides it', () => {
    expect(cell(matrix, 'GET /teams/{teamId}/members/{userId}', 'Lead').kind).to.equal('own');
    expect(cell(matrix, 'DELETE /teams/{teamId}', 'Lead').kind).to.equal('own');
    expect(cell(matrix, 'DELETE /teams/{teamId}', 'Member').kind).to.equal('denied');
    const owner = cell(matrix, 'GET /teams/{teamId}/members/{userId}', 'Owner');
    expect(owner.kind).to.equal('allowed');
    expect(owner.bindings).to.deep.equal([]);
    expect(owner.why[0]).to.match(/^granted by "\* \/teams\/\*\*" \(line 23\), declared by Owner$/);
  });

  it('names the role a grant is inherited through', () => {
    const owner = cell(matrix, 'GET /docs/drafts/{owner}', 'Owner');
    expect(owner.kind).to.equal('own');
    expect(owner.via).to.deep.equal([{ role: 'Member', pattern: 'GET /docs/drafts/{owner=sub}', line: 15 }]);
    expect(owner.why[0]).to.equal(
      'granted by "GET /docs/drafts/{owner=sub}" (line 15), declared by Member, inherited through Owner → Lead → Member',
    );
  });

  it('says why a route needs the per-route authorizer', () => {
    const row = matrix.rows.find((r) => r.path === '/docs/drafts/{owner}')!;
    expect(row.access).to.equal('route');
    expect(row.authorizer).to.match(/^per-route authorizer \(cached per token, method and path\): .+/);
    expect(row.authorizer).to.include(row.reason!);
  });

  it('says nothing grants a denied cell', () => {
    const denied = cell(matrix, 'GET /docs/{path+}', 'Owner');
    expect(denied).to.deep.include({ kind: 'denied', bindings: [], via: [] });
    expect(denied.why).to.deep.equal(['no grant of Owner (or a role it inherits) matches this route']);
  });

  it("reads the repository scopes.yaml: User owns its profile, Admin inherits User's grants", () => {
    const repo = buildAccessMatrix(
      compileScopes(readFileSync(join(ROOT, 'scopes.yaml'), 'utf8'), 'scopes.yaml'),
    );
    expect(cell(repo, 'GET /users/{userId}', 'User')).to.deep.include({
      kind: 'own',
      bindings: [{ userId: 'sub' }],
    });
    expect(cell(repo, 'GET /messages', 'Admin').why).to.include.members([
      'granted by "* /messages/**" (line 36), declared by Admin',
      'granted by "GET /messages" (line 29), declared by User, inherited through Admin → User',
    ]);
    expect(cell(repo, 'PUT /users/{userId}/roles', 'User').kind).to.equal('denied');
  });
});

describe('combinedKind', () => {
  const matrix = buildAccessMatrix(compileScopes(SOURCE, 'known.yaml'));
  const row = (path: string) => matrix.rows.find((r) => r.path === path)!;

  it('gives a caller the most any of their roles holds', () => {
    expect(combinedKind(row('/teams/{teamId}/members/{userId}'), ['Member', 'Owner'])).to.equal('allowed');
    expect(combinedKind(row('/teams/{teamId}/members/{userId}'), ['Member', 'Reader'])).to.equal('own');
    expect(combinedKind(row('/teams/{teamId}'), ['Reader'])).to.equal('denied');
    expect(combinedKind(row('/health'), [])).to.equal('public');
  });
});
