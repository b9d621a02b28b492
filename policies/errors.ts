// The one error a caller of the scope compiler branches on: every diagnostic of a bad scopes file at once.

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.message}`;
}

/** Thrown by `compileScopes` when the file has any problem; `message` lists them one per line. */
export class ScopesError extends Error {
  override readonly name = 'ScopesError';
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.diagnostics = diagnostics;
  }
}
