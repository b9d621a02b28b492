// The `--data` folder holds password hashes and the signing key: owner-only, whatever the umask says.
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Creates `dir` (0700) if needed and makes everything already in it owner-only (folders 0700, files 0600). */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makePrivateDir(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

/**
 * LevelDB keeps creating files while it runs, with the process umask: while a stack with a data folder runs, new
 * files are owner-only. Returns the function that restores the previous umask.
 */
export function ownerOnlyFiles(): () => void {
  const previous = process.umask(0o077);
  return () => {
    process.umask(previous);
  };
}
