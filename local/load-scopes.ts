// Reads and compiles a scopes file from disk (policies/ itself never touches the file system).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatDiagnostic } from '../policies/errors';
import { compileScopes, ScopesError } from '../policies/index';
import type { CompiledModel } from '../policies/model';

/** Compiles `file`; throws `ScopesError` with the diagnostics when it is invalid. */
export async function loadScopesFile(file: string, functions?: readonly string[]): Promise<CompiledModel> {
  const source = await readFile(file, 'utf8');
  return compileScopes(source, basename(file), functions === undefined ? undefined : { functions });
}

/** One line per diagnostic (`scopes.yaml:14:9: message`), or the error's message. */
export function describeScopesError(error: unknown): string {
  if (error instanceof ScopesError) {
    return error.diagnostics.map(formatDiagnostic).join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}
