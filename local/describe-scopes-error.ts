// How the local stack reports a scopes file it could not load (one diagnostic per line).
import { formatDiagnostic } from '../policies/errors';
import { ScopesError } from '../policies/index';

/** One line per diagnostic (`scopes.yaml:14:9: message`), or the error's message. */
export function describeScopesError(error: unknown): string {
  if (error instanceof ScopesError) {
    return error.diagnostics.map(formatDiagnostic).join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}
