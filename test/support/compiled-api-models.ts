// The large API models the scale tests share, each compiled once per test run (compiling one takes seconds).
import { compileScopes, type CompiledModel } from '../../policies';
import { nestedApiSpec, scopedApiSpec, scopesYaml, teamApiSpec, type ApiSpec } from './api-models';

export const LARGE_APIS = {
  'teamApi(20,4)': () => teamApiSpec(20, 4),
  'teamApi(30,6)': () => teamApiSpec(30, 6),
  'teamApi(50,10)': () => teamApiSpec(50, 10),
  'scopedApi(32,10)': () => scopedApiSpec(32, 10),
  'nestedApi(24,3)': () => nestedApiSpec(24, 3, { members: false }),
} as const;

export type LargeApi = keyof typeof LARGE_APIS;

const compiled = new Map<string, { spec: ApiSpec; model: CompiledModel }>();

/** The spec and its compiled model, compiled on first use. */
export function compiledApi(name: LargeApi): { spec: ApiSpec; model: CompiledModel } {
  let entry = compiled.get(name);
  if (!entry) {
    const spec = LARGE_APIS[name]();
    entry = { spec, model: compileScopes(scopesYaml(spec), 'scopes.yaml') };
    compiled.set(name, entry);
  }
  return entry;
}
