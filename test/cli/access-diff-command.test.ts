// `scopes diff`: a base file or a git ref against a head file, Markdown or JSON, and the exit codes CI relies on.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compileScopes } from '../../policies';
import { readBase, runDiffCommand } from '../../cli/access-diff-command';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(__dirname, '../fixtures/access-diff');
const fixture = (name: string): string => join(FIXTURES, name);

function scopes(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/scopes.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('scopes diff', () => {
  let repo: string;
  before(() => {
    // A throwaway repository: base.yaml committed as scopes.yaml, then edited in the working tree.
    repo = mkdtempSync(join(tmpdir(), 'scopes-diff-'));
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
    git('init', '--quiet', '--initial-branch=main');
    copyFileSync(fixture('base.yaml'), join(repo, 'scopes.yaml'));
    git('add', 'scopes.yaml');
    git('commit', '--quiet', '-m', 'base');
    copyFileSync(fixture('binding-widened.yaml'), join(repo, 'scopes.yaml'));
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('prints "No access change." for an equivalent file', () => {
    const run = scopes('diff', '--base', fixture('base.yaml'), fixture('reordered.yaml'));
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    expect(run.stdout).to.equal('No access change.\n');
  });

  it('reads the base from a git ref and prints the widening as Markdown', () => {
    const run = scopes('diff', '--base', 'main', join(repo, 'scopes.yaml'));
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    const shown = relative(ROOT, join(repo, 'scopes.yaml'));
    expect(run.stdout).to.contain(
      `**Access widens**: 1 widening, 0 narrowings, 0 other changes (\`main:${shown}\` → \`${shown}\`).`,
    );
    expect(run.stdout).to.contain('| **⚠️ widens** | bindings widened | `GET /users/{userId}` |');
  });

  it('exits 1 with --fail-on-widen when access widens, and says why', () => {
    const run = scopes('diff', '--fail-on-widen', '--base', 'main', join(repo, 'scopes.yaml'));
    expect(run.status).to.equal(1);
    expect(run.stderr).to.match(
      /^access widens between main:.*scopes\.yaml and .*scopes\.yaml \(--fail-on-widen\)\n$/,
    );
  });

  it('exits 0 with --fail-on-widen when access only narrows, printing JSON', () => {
    const run = scopes(
      'diff',
      '--json',
      '--fail-on-widen',
      '--base',
      fixture('binding-widened.yaml'),
      fixture('base.yaml'),
    );
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
    const diff = JSON.parse(run.stdout) as { roles: { role: string; grants: { kind: string }[] }[] };
    expect(diff.roles.map((r) => [r.role, r.grants.map((g) => g.kind)])).to.deep.equal([
      ['User', ['narrow']],
    ]);
  });

  it('exits 1 with the diagnostics of a base that does not compile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scopes-diff-bad-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'version: 1\nroutes:\n  FETCH /a: messages\n');
      const run = scopes('diff', '--base', bad, fixture('base.yaml'));
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        `${relative(ROOT, bad)}:3:3: method "FETCH" is not allowed. Expected one of: GET, POST, PUT, PATCH, DELETE, HEAD`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with the diagnostics of a head that does not compile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scopes-diff-bad-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'version: 1\nroutes:\n  GET /a: nowhere\npublic: [GET /a]\n');
      const run = scopes('diff', '--base', fixture('base.yaml'), bad);
      expect(run.status).to.equal(1);
      expect(run.stderr.trim()).to.equal(
        `${relative(ROOT, bad)}:3:11: function "nowhere" has no handler source. Expected one of: auth, messages, users`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 naming the base when it is neither a file nor a git ref', () => {
    const run = scopes('diff', '--base', 'no-such-ref', join(repo, 'scopes.yaml'));
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain(
      'cannot read the base "no-such-ref": no such file, and `git show no-such-ref:./scopes.yaml` failed',
    );
    expect(run.stderr).to.not.include('    at ');
  });

  it('exits 2 with the usage when --base is missing', () => {
    const run = scopes('diff');
    expect(run.status).to.equal(2);
    expect(run.stderr).to.contain('diff expects --base <git-ref or file>');
    expect(run.stderr).to.contain('Usage: npm run scopes');
  });
});

describe('runDiffCommand', () => {
  it('prints to the given output and returns the exit code', () => {
    const printed: string[] = [];
    const errors: string[] = [];
    const head = compileScopes(`version: 1\nroutes:\n  GET /a: messages\npublic: [GET /a]\n`, 'head.yaml');
    const code = runDiffCommand(
      head,
      { base: fixture('base.yaml'), failOnWiden: true },
      { log: (text) => printed.push(text), error: (text) => errors.push(text) },
    );
    expect(code).to.equal(1);
    expect(printed[0]).to.contain('| **⚠️ widens** | made public | `GET /a` |');
    expect(errors).to.have.length(1);
  });

  it('reads a base file as given, before trying git', () => {
    expect(readBase(fixture('base.yaml'), 'scopes.yaml').source).to.contain(
      '# The base of every access-diff pair',
    );
  });
});
