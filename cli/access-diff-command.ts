// `scopes diff`: compares a scopes file with its base (another file, or the same file at a git ref).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { compileScopes, type CompiledModel } from '../policies';
import { diffModels, renderDiffMarkdown, widens } from '../policies/access-diff';
import { PROJECT_ROOT } from './scopes-file';

export interface DiffCommandOptions {
  /** A file path, or a git ref (`origin/main`, a commit) at which the head file's path is read. */
  base: string;
  /** The head file as given on the command line; defaults to scopes.yaml at the repository root. */
  file?: string;
  json?: boolean;
  failOnWiden?: boolean;
}

export interface Output {
  log(text: string): void;
  error(text: string): void;
}

export interface BaseSource {
  /** Where the base came from, as diagnostics name it: the file, or `<ref>:<path>`. */
  name: string;
  source: string;
}

/**
 * Reads the base: an existing file wins; anything else is a git ref, read with `git show <ref>:./<file>` from
 * the head file's folder (so the path is the head file's, relative to wherever the repository root is).
 */
export function readBase(base: string, headFile: string): BaseSource {
  if (existsSync(base))
    return { name: relative(process.cwd(), base) || base, source: readFileSync(base, 'utf8') };
  const spec = `${base}:./${basename(headFile)}`;
  try {
    const source = execFileSync('git', ['show', spec], {
      cwd: dirname(resolve(headFile)),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { name: `${base}:${relative(process.cwd(), resolve(headFile)) || basename(headFile)}`, source };
  } catch (error) {
    const raw = (error as { stderr?: unknown }).stderr;
    const stderr = typeof raw === 'string' ? raw.trim() : '';
    throw new BaseUnreadableError(
      `cannot read the base "${base}": no such file, and \`git show ${spec}\` failed` +
        (stderr === '' ? '' : `: ${stderr}`) +
        '. Expected a file or a git ref holding the file (in CI, check out with fetch-depth 0)',
    );
  }
}

/** The base is neither a file nor readable at a git ref (exit 1, like a missing file). */
export class BaseUnreadableError extends Error {
  override readonly name = 'BaseUnreadableError';
  readonly code = 'ENOENT';
}

/**
 * Diffs `head` (already compiled by the caller) against its base and prints Markdown or JSON. Returns the exit
 * code: 1 with `failOnWiden` when any access widens, else 0. Throws `ScopesError` when the base does not
 * compile and `BaseUnreadableError` when it cannot be read.
 */
export function runDiffCommand(
  head: CompiledModel,
  options: DiffCommandOptions,
  out: Output = console,
): number {
  const headFile = options.file ?? join(PROJECT_ROOT, 'scopes.yaml');
  const { name, source } = readBase(options.base, headFile);
  // No function list for the base: an older revision may name a function folder that no longer exists.
  const diff = diffModels(compileScopes(source, name), head);
  out.log(options.json === true ? JSON.stringify(diff, null, 2) : renderDiffMarkdown(diff));
  if (options.failOnWiden === true && widens(diff)) {
    out.error(`access widens between ${diff.base} and ${diff.head} (--fail-on-widen)`);
    return 1;
  }
  return 0;
}
