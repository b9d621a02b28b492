// How a running local stack is found: a per-user state file naming its endpoints and table, and a lock that
// keeps a second `npm start` off a --data folder already in use (LevelDB admits one process per folder).
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** What `npm run admin` needs to reach a running local stack. */
export interface LocalStackState {
  pid: number;
  url: string;
  dynamoEndpoint: string;
  /** The access key the local DynamoDB requires, when it requires one. */
  dynamoAccessKeyId?: string;
  tableName: string;
  /** The --data folder, absent when the table lives in memory. */
  dataDir?: string;
}

/** The state file of this user's local stack: `SCOPEGATE_LOCAL_STATE`, else one per user in the runtime dir. */
export function defaultStateFile(env: Readonly<Record<string, string | undefined>>): string {
  if (env.SCOPEGATE_LOCAL_STATE !== undefined && env.SCOPEGATE_LOCAL_STATE !== '') {
    return env.SCOPEGATE_LOCAL_STATE;
  }
  const runtimeDir = env.XDG_RUNTIME_DIR ?? join(tmpdir(), `scopegate-${userInfo().uid}`);
  return join(runtimeDir, 'scopegate-local-stack.json');
}

/** Writes the state (owner-only: it is a map to a table holding password hashes). */
export function writeStackState(file: string, state: LocalStackState): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the state file when it still describes this process (a later stack may have replaced it). */
export function removeStackState(file: string, pid = process.pid): void {
  const state = readStackState(file);
  if (state?.pid === pid) rmSync(file, { force: true });
}

/** The state of a stack whose process still runs; undefined when there is none (or it died without cleaning up). */
export function readStackState(file: string): LocalStackState | undefined {
  let state: LocalStackState;
  try {
    // Another user's file (the temporary folder is shared) could point the admin at their own DynamoDB.
    const { uid, mode } = statSync(file);
    if (uid !== userInfo().uid || (mode & 0o022) !== 0) return undefined;
    state = JSON.parse(readFileSync(file, 'utf8')) as LocalStackState;
  } catch {
    return undefined;
  }
  return typeof state.pid === 'number' && isRunning(state.pid) ? state : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A --data folder held by another running stack. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

const LOCK_FILE = 'scopegate.lock';

/**
 * Takes the folder for this process, or throws DataDirInUseError naming the holder. A lock left by a process
 * that no longer runs is taken over. Resolves to the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, LOCK_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        if ((await readFile(file, 'utf8').catch(() => '')) === String(process.pid))
          await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new DataDirInUseError(
        `${dataDir} is in use by another local stack (pid ${holder}): stop it, or start with another --data folder`,
      );
    }
    await rm(file, { force: true });
  }
  throw new DataDirInUseError(`${dataDir} is being taken by another local stack: try again`);
}
