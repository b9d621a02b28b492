// The scope model's public interface, shared by the authorizer, the local gateway, the CLI and index.ts.
export { authorize } from './authorize';
export { compileScopes, type CompileOptions } from './compile-scopes';
export { formatDiagnostic, ScopesError, type Diagnostic } from './errors';
export { matchRoute } from './match-route';
export { MAX_RESULT_BYTES } from './policy-budget';
export * from './model';
