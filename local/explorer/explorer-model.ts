// The explorer's view of the scopes file: the matrix, or the diagnostics of a bad file; and its diff against HEAD.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { diffModels, widens, type AccessDiff } from '../../policies/access-diff';
import { buildAccessMatrix, type AccessMatrix } from '../../policies/access-matrix';
import { compileScopes, ScopesError, type Diagnostic } from '../../policies/index';
import { MAX_RESULT_BYTES } from '../../policies/policy-budget';
import type { CompiledModel } from '../../policies/model';

export type ModelView =
  | { ok: true; file: string; matrix: AccessMatrix; budgetBytes: number }
  | { ok: false; file: string; diagnostics: Diagnostic[] };

export type DiffView =
  | { available: true; base: string; diff: AccessDiff; widens: boolean }
  | { available: false; reason: string; diagnostics?: Diagnostic[] };

export interface ScopesView {
  /** Changes whenever the file's content does: the page polls with If-None-Match. */
  etag: string;
  model: ModelView;
}

/** Compiles like the stack does (`loadScopes`): same compiler, same file name, same function list. */
function compile(source: string, file: string, functions: readonly string[]): CompiledModel {
  return compileScopes(source, basename(file), { functions });
}

function diagnosticsOf(error: unknown, file: string): Diagnostic[] {
  if (error instanceof ScopesError) return [...error.diagnostics];
  const message = error instanceof Error ? error.message : String(error);
  return [{ file: basename(file), line: 0, column: 0, message }];
}

/**
 * Reads the scopes file on each call (it is small) and compiles only when its content changed, so the page
 * follows edits without a watcher of its own and a bad file shows its diagnostics, never a stale matrix.
 */
export function createScopesReader(file: string, functions: readonly string[]) {
  let last: ScopesView | undefined;
  return async function current(): Promise<ScopesView> {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (error) {
      const etag = `"missing-${(error as NodeJS.ErrnoException).code ?? 'error'}"`;
      return { etag, model: { ok: false, file: basename(file), diagnostics: diagnosticsOf(error, file) } };
    }
    const etag = `"${createHash('sha256').update(source).digest('base64url').slice(0, 22)}"`;
    if (last?.etag === etag) return last;
    let model: ModelView;
    try {
      const compiled = compile(source, file, functions);
      model = {
        ok: true,
        file: compiled.file,
        matrix: buildAccessMatrix(compiled),
        budgetBytes: MAX_RESULT_BYTES,
      };
    } catch (error) {
      model = { ok: false, file: basename(file), diagnostics: diagnosticsOf(error, file) };
    }
    last = { etag, model };
    return last;
  };
}

/** The file as committed, or a reason why there is none (not a repository, not committed yet). */
function committedSource(file: string): Promise<{ source: string } | { reason: string }> {
  return new Promise((resolve) => {
    // `HEAD:./name` is relative to the working directory, so this works from any checkout path.
    execFile(
      'git',
      ['show', `HEAD:./${basename(file)}`],
      { cwd: dirname(file), maxBuffer: 4 * 1024 * 1024, timeout: 5000 },
      (error, stdout, stderr) => {
        if (error === null) resolve({ source: stdout });
        else resolve({ reason: `no committed version: ${(stderr || error.message).trim().split('\n')[0]!}` });
      },
    );
  });
}

/** The access diff of the working file against `git show HEAD:<file>`. */
export async function diffAgainstHead(file: string, functions: readonly string[]): Promise<DiffView> {
  const committed = await committedSource(file);
  if ('reason' in committed) return { available: false, reason: committed.reason };
  let base: CompiledModel;
  try {
    base = compile(committed.source, `HEAD:${basename(file)}`, functions);
  } catch (error) {
    return {
      available: false,
      reason: 'the committed file does not compile',
      diagnostics: diagnosticsOf(error, file),
    };
  }
  let head: CompiledModel;
  try {
    head = compile(await readFile(file, 'utf8'), file, functions);
  } catch (error) {
    return {
      available: false,
      reason: 'the working file does not compile',
      diagnostics: diagnosticsOf(error, file),
    };
  }
  const diff = diffModels(base, head);
  return { available: true, base: `HEAD:${basename(file)}`, diff, widens: widens(diff) };
}
