// The terminal matrix: cells read back from the text and Markdown tables of known files; colour only on a TTY.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  matrixCommand,
  renderMatrixMarkdown,
  renderMatrixText,
  useColour,
} from '../../cli/access-matrix-command';
import { buildAccessMatrix } from '../../policies/access-matrix';
import { compileScopes } from '../../policies/index';

const ROOT = join(__dirname, '../..');
const ESC = String.fromCharCode(27);
/** An ANSI SGR sequence such as ESC[32m. */
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`);

/** A greedy grant reaching a bound route makes that route per-route. */
const PER_ROUTE = `version: 1
routes:
  GET /files/{path+}: files
  GET /files/private/{owner}: files
  GET /health: files
public:
  - GET /health
roles:
  Reader:
    grants:
      - GET /files/{path+}
  Owner:
    grants:
      - GET /files/private/{owner=sub}
quotas:
  authorizers: 2
`;

/** Text table -> { 'GET /x': ['✓', '✗'] }: the columns are separated by at least two spaces. */
function readText(output: string): Record<string, string[]> {
  const lines = output.split('\n');
  const end = lines.indexOf('');
  return Object.fromEntries(
    lines.slice(2, end).map((line) => {
      const [route, ...cells] = line.split(/ {2,}/);
      return [route!, cells];
    }),
  );
}

/** Markdown table -> the same shape. */
function readMarkdown(output: string): Record<string, string[]> {
  return Object.fromEntries(
    output
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => {
        const [route, ...cells] = line
          .slice(1, -1)
          .split(' | ')
          .map((cell) => cell.trim());
        return [route!, cells];
      }),
  );
}

function scopes(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/scopes.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('matrix command', () => {
  it('prints one row per route with a symbol per role for the repository scopes.yaml', () => {
    const run = scopes(['matrix']);
    expect(run.status, run.stderr).to.equal(0);
    const rows = readText(run.stdout);
    expect(run.stdout.split('\n')[0]).to.match(/^route +User +Admin$/);
    expect(Object.keys(rows)).to.have.length(11);
    expect(rows['POST /auth/token']).to.deep.equal(['○', '○']);
    expect(rows['GET /messages']).to.deep.equal(['✓', '✓']);
    expect(rows['DELETE /messages/{messageId}']).to.deep.equal(['✗', '✓']);
    expect(rows['GET /users/{userId}']).to.deep.equal(['◐ userId=sub', '✓']);
    expect(rows['PUT /users/{userId}/roles']).to.deep.equal(['✗', '✓']);
  });

  it('writes no colour codes when piped', () => {
    const run = scopes(['matrix']);
    expect(run.stdout).to.not.match(ANSI);
  });

  it('prints a Markdown table with --markdown', () => {
    const run = scopes(['matrix', '--markdown']);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.split('\n').slice(0, 2)).to.deep.equal([
      '| Route | User | Admin |',
      '| --- | :---: | :---: |',
    ]);
    const rows = readMarkdown(run.stdout);
    expect(rows['`GET /users/{userId}`']).to.deep.equal(['◐ userId=sub', '✓']);
    expect(rows['`GET /users`']).to.deep.equal(['✗', '✓']);
    expect(run.stdout).to.not.match(ANSI);
  });

  it('exits 1 with the diagnostics of a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'matrix-cli-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, 'version: 1\nroutes:\n  FETCH /a: messages\n');
      const run = scopes(['matrix', file]);
      expect(run.status).to.equal(1);
      expect(run.stderr).to.include(':3:3: method "FETCH" is not allowed.');
      expect(run.stdout).to.equal('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderMatrixText', () => {
  const matrix = buildAccessMatrix(compileScopes(PER_ROUTE, 'per-route.yaml'));

  it('marks per-route routes with † and says why under the table', () => {
    const output = renderMatrixText(matrix);
    const rows = readText(output);
    expect(rows['GET /files/private/{owner} †']).to.deep.equal(['✗', '◐ owner=sub']);
    expect(rows['GET /files/{path+}']).to.deep.equal(['✓', '✗']);
    expect(rows['GET /health']).to.deep.equal(['○', '○']);
    expect(output).to.match(/^† GET \/files\/private\/\{owner\}: .+/m);
  });

  it('colours each cell by kind and keeps the columns aligned', () => {
    const coloured = renderMatrixText(matrix, true);
    expect(coloured).to.include('\u001b[32m✓');
    expect(coloured).to.include('\u001b[33m◐ owner=sub');
    expect(coloured).to.include('\u001b[31m✗');
    expect(coloured).to.include('\u001b[36m○');
    expect(coloured.replace(new RegExp(ANSI.source, 'g'), '')).to.equal(renderMatrixText(matrix));
  });
});

describe('renderMatrixMarkdown', () => {
  it('escapes pipes so a cell never splits the table', () => {
    const source = PER_ROUTE.replace(
      '      - GET /files/private/{owner=sub}',
      '      - GET /files/private/{owner=sub}\n      - GET /files/private/{owner=team}',
    );
    const output = renderMatrixMarkdown(buildAccessMatrix(compileScopes(source, 'two.yaml')));
    expect(output).to.include('| ◐ owner=sub \\| owner=team |');
    expect(output).to.include('- † GET /files/private/{owner}: ');
  });
});

describe('useColour', () => {
  it('colours a terminal unless NO_COLOR is set, and never a pipe', () => {
    expect(useColour({ isTTY: true }, {})).to.equal(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(useColour({ isTTY: false }, {})).to.equal(false);
    expect(useColour({}, {})).to.equal(false);
  });

  it('is what matrixCommand uses to decide', () => {
    const model = compileScopes(PER_ROUTE, 'per-route.yaml');
    expect(matrixCommand(model, { colour: false })).to.not.match(ANSI);
    expect(matrixCommand(model, { colour: true })).to.match(ANSI);
  });
});
