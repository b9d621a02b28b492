import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { runAdmin } from '../../cli/admin';

const ROOT = join(__dirname, '../..');

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it, without the SDK variable the test runner sets. */
function npmStart(dataDir: string, stateFile: string, extraEnv: NodeJS.ProcessEnv = {}): Started {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    // Port 0 for the sample app too: other tests start stacks at the same time.
    SAMPLE_APP_PORT: '0',
    LOCAL_ADMIN_PASSWORD: 'admin password for tests',
    SCOPEGATE_LOCAL_STATE: stateFile,
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--data', dataDir], {
    cwd: ROOT,
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function untilListening(started: Started): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!started.stdout().includes('\nTry:')) {
    if (started.child.exitCode !== null) throw new Error(`exited: ${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no banner: ${started.stdout()}${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start', function () {
  this.timeout(90_000);
  let dir: string;
  let dataDir: string;
  let stateFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scopegate-start-'));
    dataDir = join(dir, 'data');
    stateFile = join(dir, 'state.json');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints where its DynamoDB and table are, refuses a second start on its folder, and cleans up', async () => {
    const first = npmStart(dataDir, stateFile);
    try {
      await untilListening(first);
      const url = /scopegate is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(first.stdout())?.[1];
      const endpoint =
        / {2}DynamoDB: (http:\/\/127\.0\.0\.1:\d+) {3}table: scopegate-local {3}\(npm run admin finds both by itself\)\n/.exec(
          first.stdout(),
        )?.[1];
      expect(url, first.stdout()).to.be.a('string');
      expect(endpoint, first.stdout()).to.be.a('string');
      expect(first.stderr()).to.equal('');
      const { dynamoAccessKeyId, ...state } = JSON.parse(await readFile(stateFile, 'utf8')) as Record<
        string,
        unknown
      >;
      // The per-run random key that alone opens the local DynamoDB.
      expect(dynamoAccessKeyId).to.match(/^[A-Za-z0-9_-]{32}$/);
      expect(state).to.deep.equal({
        pid: first.child.pid,
        url,
        dynamoEndpoint: endpoint,
        tableName: 'scopegate-local',
        dataDir,
      });

      // The admin CLI finds it with no options at all.
      const err: string[] = [];
      const code = await runAdmin(['disable-user', '--username', 'admin', '--enable'], {
        out: () => undefined,
        err: (line) => err.push(line),
        env: { SCOPEGATE_LOCAL_STATE: stateFile },
      });
      expect(code, err.join('\n')).to.equal(0);

      const second = npmStart(dataDir, stateFile);
      expect(await second.exited).to.equal(1);
      expect(second.stderr()).to.equal(
        `${dataDir} is in use by another local stack (pid ${first.child.pid!}): stop it, or start with another --data folder\n`,
      );
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).to.equal(0);
    expect(existsSync(stateFile)).to.equal(false);
    expect(existsSync(join(dataDir, 'scopegate.lock'))).to.equal(false);

    // A restart on the folder says the admin exists and how to give it a new password.
    const again = npmStart(dataDir, stateFile);
    try {
      await untilListening(again);
      expect(again.stdout()).to.contain(
        'Admin: user "admin" was created by an earlier start; to give it a new password:\n' +
          '  npm run admin -- set-password --username admin\n',
      );
    } finally {
      again.child.kill('SIGTERM');
    }
    expect(await again.exited).to.equal(0);
  });

  it('names a bad SCOPES_FILE as `npm run scopes -- check` does', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nroutes:\n  FETCH /x: messages\n');
    const name = relative(ROOT, bad);
    const started = npmStart(join(dir, 'unused'), stateFile, { SCOPES_FILE: name });
    expect(await started.exited).to.equal(1);
    const check = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'cli/scopes.ts', 'check', name],
      { cwd: ROOT },
    ).catch((error: { stderr: string }) => error);
    expect(check.stderr).to.match(new RegExp(`^${name.replace(/[.]/g, '\\.')}:3:3: `));
    expect(started.stderr()).to.equal(check.stderr);
  });
});
