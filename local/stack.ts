// The whole product on loopback: dynalite, the real handlers in-process, and the gateway in front of them.
import { basename, join } from 'node:path';
import type { JWK } from 'jose';
import type { IssuerConfig } from '../functions/authorizer/authorizer';
import type { ScryptParams } from '../functions/auth/passwords';
import type { CompiledModel } from '../policies/model';
import { createUserStore } from '../functions/users/user-store';
import { createTable, startLocalDynamo, type LocalDynamo } from './dynamodb';
import { createGateway, type Gateway, type GatewayRuntime, type RequestLog } from './gateway';
import type { LocalAuthorizer } from './gateway-authorizer';
import { buildRuntime, LOCAL_FUNCTIONS, type IdentityMode } from './runtime';
import { createExplorer, type Explorer } from './explorer/explorer-routes';
import { loadScopes } from '../infra/scopes';
import { describeScopesError } from './describe-scopes-error';
import { seedLocalData, type SeedResult } from './seed';
import { lockDataDir, removeStackState, writeStackState } from './stack-state';
import { makePrivateDir, ownerOnlyFiles } from './private-dir';
import { loadSigningKeys } from './signing-keys';
import { watchScopesFile, type ScopesWatcher } from './watch';

export type { IdentityMode } from './runtime';

export interface LocalStackOptions {
  /** 0 picks a free port. Default 3000. */
  port?: number;
  /** Default `scopes.yaml` in the working directory. */
  scopesFile?: string;
  /** How diagnostics and notices name the scopes file; default its base name. */
  scopesName?: string;
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
  /** Host names served besides loopback ones (DNS rebinding defence). */
  allowedHosts?: readonly string[];
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
  /** Write where the stack runs here (for `npm run admin`), removed on close; none when absent. */
  stateFile?: string;
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
  const scopesName = options.scopesName ?? basename(scopesFile);
  const compile = (file: string) => loadScopes(file, LOCAL_FUNCTIONS, scopesName);

  let model = compile(scopesFile);
  // Before anything opens the folder: a second process on it would crash inside LevelDB.
  const unlock = options.dataDir === undefined ? undefined : await lockDataDir(options.dataDir);
  const restoreUmask = options.dataDir === undefined ? () => undefined : ownerOnlyFiles();
  let signingKeys: JWK[];
  let dynamo: LocalDynamo;
  try {
    if (options.dataDir !== undefined) await makePrivateDir(options.dataDir);
    signingKeys = await loadSigningKeys(options.dataDir);
    // An unguessable access key: no other program, and no web page, can use the table.
    dynamo = await startLocalDynamo({
      accessKeyId: 'random',
      ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, 'dynamodb') }),
    });
  } catch (error) {
    restoreUmask();
    await unlock?.();
    throw error;
  }
  const cleanups: (() => Promise<void> | void)[] = [
    ...(unlock === undefined ? [] : [unlock]),
    restoreUmask,
    () => dynamo.close(),
  ];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
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
      ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
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
    const users = createUserStore(dynamo.documents, LOCAL_TABLE);
    mounted.explorer = createExplorer({
      scopesFile,
      functions: LOCAL_FUNCTIONS,
      runtime: () => runtime,
      // Built-in users only; an OIDC provider's subs are not in the table.
      ...(identity.mode === 'builtin' ? { userName: async (sub) => (await users.get(sub))?.username } : {}),
    });
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

    // Set while the file on disk is not the running model, so the edit that mends it is acknowledged.
    let broken = false;
    const refuse = (message: string): false => {
      broken = true;
      notify(message);
      return false;
    };
    const apply = (next: CompiledModel): boolean => {
      // An editor touching the file without changing it must not flush the authorizer cache.
      if (JSON.stringify(next) === JSON.stringify(model)) {
        if (broken) notify(`${scopesName}: fixed; it compiles to the running model again, nothing to reload`);
        broken = false;
        return true;
      }
      try {
        runtime = build(next);
        gateway.setRuntime(runtime);
      } catch (error) {
        return refuse(`${scopesName}: not reloaded: ${describeScopesError(error)}`);
      }
      model = next;
      broken = false;
      notify(`${scopesName}: reloaded, ${next.routes.length} routes, ${next.roles.length} roles`);
      return true;
    };
    const notCompiled = (error: unknown): false =>
      refuse(`${scopesName}: not reloaded, the running model stays:\n${describeScopesError(error)}`);
    const reload = (): boolean => {
      try {
        return apply(compile(scopesFile));
      } catch (error) {
        return notCompiled(error);
      }
    };
    const { stateFile } = options;
    if (stateFile !== undefined) {
      writeStackState(stateFile, {
        pid: process.pid,
        url,
        dynamoEndpoint: dynamo.endpoint,
        dynamoAccessKeyId: dynamo.accessKeyId,
        tableName: LOCAL_TABLE,
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      });
      cleanups.push(() => removeStackState(stateFile));
    }
    if (options.watch ?? true) {
      const watcher: ScopesWatcher = watchScopesFile(scopesFile, {
        compile,
        onModel: (next) => void apply(next),
        onError: (error) => void notCompiled(error),
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
