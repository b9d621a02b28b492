// The whole product on loopback: dynalite, the real handlers in-process, and the gateway in front of them.
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { IssuerConfig } from '../functions/authorizer/authorizer';
import type { ScryptParams } from '../functions/auth/passwords';
import type { CompiledModel } from '../policies/model';
import { createTable, startLocalDynamo, type LocalDynamo } from './dynamodb';
import { createGateway, type Gateway, type GatewayRuntime, type RequestLog } from './gateway';
import type { LocalAuthorizer } from './gateway-authorizer';
import { buildRuntime, LOCAL_FUNCTIONS, type IdentityMode } from './runtime';
import { createExplorer, type Explorer } from './explorer/explorer-routes';
import { loadScopes } from '../infra/scopes';
import { describeScopesError } from './describe-scopes-error';
import { seedLocalData, type SeedResult } from './seed';
import { loadSigningKeys } from './signing-keys';
import { watchScopesFile, type ScopesWatcher } from './watch';

export type { IdentityMode } from './runtime';

export interface LocalStackOptions {
  /** 0 picks a free port. Default 3000. */
  port?: number;
  /** Default `scopes.yaml` in the working directory. */
  scopesFile?: string;
  /** Persist the table and the signing key here; in memory when absent. */
  dataDir?: string;
  /** Authorizer cache TTL in seconds; default 300. */
  ttlSeconds?: number;
  /** Epoch milliseconds, for the authorizer cache, the token service and the authorizer. */
  now?: () => number;
  /** `builtin` (default): the local token service issues the tokens; `oidc`: an external provider does. */
  identity?: IdentityMode;
  /** More trusted identity providers (`IDENTITY_PROVIDERS`), beside the identity mode's issuer. */
  identityProviders?: readonly IssuerConfig[];
  /** Default `['*']`. */
  corsOrigins?: readonly string[];
  /** The admin's password on first start; generated (and reported in `seed`) when absent. */
  adminPassword?: string;
  /** scrypt cost of the seeded admin and the token service (tests use a cheap one). */
  passwordParams?: ScryptParams;
  /** Recompile the scopes file when it changes (default true). */
  watch?: boolean;
  /** One entry per request. */
  log?: (entry: RequestLog) => void;
  /** Reloads and scope diagnostics. */
  notify?: (message: string) => void;
}

export interface LocalStack {
  url: string;
  /** The model being served (replaced when the scopes file changes and compiles). */
  model(): CompiledModel;
  /** The model, authorizer and handlers being served. */
  runtime(): GatewayRuntime;
  seed: SeedResult | undefined;
  /** Authorizer invocations since start (API Gateway bills and logs each of them). */
  stats: { token: number; request: number };
  gateway: Gateway;
  dynamo: LocalDynamo;
  tableName: string;
  /** Recompiles the scopes file now; false (and the old model kept) when it does not compile. */
  reload(): boolean;
  close(): Promise<void>;
}

export const LOCAL_TABLE = 'scopegate-local';

/**
 * Starts everything in this process and returns once the gateway listens.
 *
 * @example
 * const stack = await startLocalStack({ port: 0, scopesFile: 'scopes.yaml', ttlSeconds: 1 });
 * await fetch(`${stack.url}/messages`, { headers: { Authorization: `Bearer ${token}` } });
 * await stack.close();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const scopesFile = options.scopesFile ?? join(process.cwd(), 'scopes.yaml');
  const now = options.now ?? Date.now;
  const identity = options.identity ?? { mode: 'builtin' };
  const corsOrigins = options.corsOrigins ?? ['*'];
  const notify = options.notify ?? (() => undefined);
  const compile = (file: string) => loadScopes(file, LOCAL_FUNCTIONS);

  let model = compile(scopesFile);
  const signingKeys: JWK[] = await loadSigningKeys(options.dataDir);
  const dynamo = await startLocalDynamo(
    options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'dynamodb') },
  );
  const cleanups: (() => Promise<void> | void)[] = [() => dynamo.close()];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await createTable(dynamo.client, LOCAL_TABLE);
    const stats = { token: 0, request: 0 };
    // Set once the first runtime exists; until then /_explorer/ falls through to the gateway's 503.
    const mounted: { explorer?: Explorer } = {};
    const gateway = createGateway({
      intercept: (req, res) => mounted.explorer?.handle(req, res) ?? false,
      ttlSeconds: options.ttlSeconds ?? 300,
      now,
      cors: { allowedOrigins: corsOrigins },
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    const url = await gateway.listen(options.port ?? 3000);
    cleanups.push(() => gateway.close());
    const build = (next: CompiledModel) => {
      const built = buildRuntime({
        model: next,
        identity,
        ...(options.identityProviders === undefined ? {} : { identityProviders: options.identityProviders }),
        url,
        tableName: LOCAL_TABLE,
        documents: dynamo.documents,
        signingKeys,
        now,
        corsOrigins,
        ...(options.passwordParams === undefined ? {} : { passwordParams: options.passwordParams }),
      });
      return { ...built, authorizer: counted(built.authorizer, stats) };
    };
    let runtime = build(model);
    gateway.setRuntime(runtime);
    mounted.explorer = createExplorer({ scopesFile, functions: LOCAL_FUNCTIONS, runtime: () => runtime });
    const seed =
      identity.mode === 'builtin'
        ? await seedLocalData(
            { documents: dynamo.documents, tableName: LOCAL_TABLE },
            {
              adminRole: 'Admin',
              now: Math.floor(now() / 1000),
              ...(options.adminPassword === undefined ? {} : { adminPassword: options.adminPassword }),
              ...(options.passwordParams === undefined ? {} : { passwordParams: options.passwordParams }),
            },
          )
        : undefined;

    const apply = (next: CompiledModel): boolean => {
      // An editor touching the file without changing it must not flush the authorizer cache.
      if (JSON.stringify(next) === JSON.stringify(model)) return true;
      try {
        runtime = build(next);
        gateway.setRuntime(runtime);
      } catch (error) {
        notify(`${scopesFile}: not reloaded: ${describeScopesError(error)}`);
        return false;
      }
      model = next;
      notify(`${scopesFile}: reloaded, ${next.routes.length} routes, ${next.roles.length} roles`);
      return true;
    };
    const reload = (): boolean => {
      try {
        return apply(compile(scopesFile));
      } catch (error) {
        notify(`${scopesFile}: not reloaded, the running model stays:\n${describeScopesError(error)}`);
        return false;
      }
    };
    if (options.watch ?? true) {
      const watcher: ScopesWatcher = watchScopesFile(scopesFile, {
        compile,
        onModel: (next) => void apply(next),
        onError: (error) =>
          notify(`${scopesFile}: not reloaded, the running model stays:\n${describeScopesError(error)}`),
      });
      cleanups.push(() => watcher.close());
    }
    return {
      url,
      model: () => model,
      runtime: () => runtime,
      seed,
      stats,
      gateway,
      dynamo,
      tableName: LOCAL_TABLE,
      reload,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Counts invocations, so tests and the benchmark can see what the authorizer cache saves. */
function counted(authorizer: LocalAuthorizer, stats: { token: number; request: number }): LocalAuthorizer {
  return {
    handleToken: (event) => {
      stats.token += 1;
      return authorizer.handleToken(event);
    },
    handleRequest: (event) => {
      stats.request += 1;
      return authorizer.handleRequest(event);
    },
  };
}
