// Scope model benchmark: compile time and policy size by model size, and the per-request cost of authorize.
import { authorize, compileScopes, type CompiledModel } from '../policies';
import { packModel } from '../policies/runtime-model';
import { scopedApi, teamApi } from '../test/support/api-models';
import { syntheticScopes } from './synthetic-scopes';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/resource-1';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

/** Microseconds per authorize call over `calls` calls, cycling through callers. */
function authorizeCost(model: CompiledModel, calls: number, roleSets: string[][]): number {
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const roles = roleSets[i % roleSets.length]!;
    authorize(
      model,
      { principalId: `user-${i % 97}`, roles, claims: { sub: `user-${i % 97}` } },
      { methodArn: ARN },
    );
  }
  return ((performance.now() - start) * 1000) / calls;
}

/** Authorizer invocations for one token that calls every route once: one per authorizer cache it meets. */
function callsForEveryRoute(model: CompiledModel): number {
  const keys = model.routes
    .filter((r) => r.access !== 'public')
    .map((r) => (r.access === 'token' ? r.authorizer! : `${r.authorizer!} ${r.id}`));
  return new Set(keys).size;
}

/** Models shaped like real APIs: what the cache groups cost and save. */
function realWorldTable(): void {
  console.log(
    '\n| model | routes | roles | compile ms (median of 3) | token-cached authorizers | per-route routes | ' +
      'largest result, any combination | calls for one token, every route once | packed model |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const models: [string, string][] = [
    ['teamApi(50,10)', teamApi(50, 10)],
    ['scopedApi(32,10)', scopedApi(32, 10)],
    ['synthetic 1,000', syntheticScopes(1000)],
  ];
  for (const [name, source] of models) {
    const runs = [1, 2, 3].map(() => time(() => compileScopes(source, 'scopes.yaml')));
    const model = runs[0]![0];
    const perRoute = model.routes.filter((r) => r.access === 'route').length;
    const packed = Buffer.byteLength(JSON.stringify(packModel(model)));
    console.log(
      `| ${name} | ${model.routes.length} | ${model.roles.length} | ${median(runs.map(([, ms]) => ms)).toFixed(0)} | ` +
        `${model.groups.length} | ${perRoute} | ${model.maxResultBytes} B | ${callsForEveryRoute(model)} | ` +
        `${(packed / 1024).toFixed(0)} KB |`,
    );
  }
}

export async function runBench(): Promise<void> {
  await Promise.resolve();
  console.log('\n## Scope model (policies/)\n');
  console.log(
    '| routes | compile ms (median) | token / per-route | largest token-cached result | model JSON |',
  );
  console.log('|---:|---:|---:|---:|---:|');
  const models = new Map<number, CompiledModel>();
  for (const routes of [10, 100, 1000, 5000]) {
    const source = syntheticScopes(routes);
    const runs = routes >= 5000 ? 1 : routes >= 1000 ? 3 : 7;
    const times: number[] = [];
    let model: CompiledModel | undefined;
    for (let i = 0; i < runs; i++) {
      const [compiled, ms] = time(() => compileScopes(source, 'synthetic.yaml'));
      times.push(ms);
      model = compiled;
    }
    models.set(routes, model!);
    const count = (access: string) => model!.routes.filter((r) => r.access === access).length;
    console.log(
      `| ${routes} | ${median(times).toFixed(1)} | ${count('token')} / ${count('route')} | ${model!.maxResultBytes} B | ` +
        `${(JSON.stringify(model).length / 1024).toFixed(0)} KB |`,
    );
  }

  const roleSets = [['Reader'], ['Owner'], ['Writer'], ['Admin'], ['Reader', 'Owner'], ['Writer', 'Owner']];
  console.log(
    '\n| routes | authorize, warm (µs/call) | first call per role set (µs) | compile / warm call |',
  );
  console.log('|---:|---:|---:|---:|');
  for (const [routes, model] of models) {
    const fresh = compileScopes(syntheticScopes(routes), 'synthetic.yaml');
    const [, firstMs] = time(() => authorizeCost(fresh, roleSets.length, roleSets));
    authorizeCost(model, 2000, roleSets); // warm up
    const warm = median([1, 2, 3].map(() => authorizeCost(model, 20000, roleSets)));
    const [, compileMs] = time(() => compileScopes(syntheticScopes(routes), 'synthetic.yaml'));
    console.log(
      `| ${routes} | ${warm.toFixed(2)} | ${((firstMs * 1000) / roleSets.length).toFixed(0)} | ` +
        `${Math.round((compileMs * 1000) / warm)}x |`,
    );
  }
  realWorldTable();
}
