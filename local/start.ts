// `npm start`: the whole API on loopback from scopes.yaml, with API Gateway's authorizer semantics.
//
//   PORT (3000), AUTHORIZER_TTL (300 s), CORS_ORIGINS (comma-separated, default *), LOCAL_ADMIN_PASSWORD,
//   SCOPES_FILE (./scopes.yaml), OIDC_ISSUER + OIDC_AUDIENCE + OIDC_JWKS_URI [+ OIDC_ALGORITHMS, OIDC_ROLES_CLAIM]
//   to trust an external provider instead of the built-in token service, IDENTITY_PROVIDERS (a JSON list) to
//   trust more providers beside it; ALLOWED_HOSTS (host names served besides loopback ones, comma-separated);
//   `--data DIR` persists table and keys; SAMPLE_APP_PORT (3001): the sample single-page app, on its own origin.
import './quiet-sdk-warning';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseIdentityProviders } from '../functions/authorizer/providers/index';
import { MAX_AUTHORIZER_TTL_SECONDS } from '../policies/openapi';
import { describeRoutes, formatRoutes } from './describe-routes';
import { EXPLORER_PATH } from './explorer/explorer-routes';
import { formatRequestLog } from './gateway';
import { ADMIN_USERNAME, LOCAL_CLIENT_ID } from './seed';
import { startSampleApp, type SampleApp } from './sample-app/sample-app-server';
import { startLocalStack, type IdentityMode, type LocalStack } from './stack';
import { defaultStateFile } from './stack-state';

function integerEnv(name: string, fallback: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be an integer from 0 to ${max}, got "${text}"`);
  }
  return value;
}

function identityFromEnv(): IdentityMode {
  const { OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URI, OIDC_ALGORITHMS, OIDC_ROLES_CLAIM } = process.env;
  if (OIDC_ISSUER === undefined || OIDC_ISSUER === '') return { mode: 'builtin' };
  if (!OIDC_AUDIENCE || !OIDC_JWKS_URI) throw new Error('OIDC_ISSUER needs OIDC_AUDIENCE and OIDC_JWKS_URI');
  return {
    mode: 'oidc',
    issuer: OIDC_ISSUER,
    audience: OIDC_AUDIENCE,
    jwksUri: OIDC_JWKS_URI,
    ...(OIDC_ALGORITHMS ? { algorithms: OIDC_ALGORITHMS.split(',') } : {}),
    ...(OIDC_ROLES_CLAIM ? { rolesClaim: OIDC_ROLES_CLAIM } : {}),
  };
}

const identityProviders = () =>
  parseIdentityProviders(process.env.IDENTITY_PROVIDERS ?? '[]', 'IDENTITY_PROVIDERS');

function banner(
  stack: LocalStack,
  ttl: number,
  scopesFile: string,
  dataDir: string | undefined,
  identity: IdentityMode,
  providers: readonly { issuer: string }[],
  sampleApp: SampleApp | undefined,
) {
  const { url } = stack;
  const lines = [
    '',
    `scopegate is running at ${url}`,
    `  access explorer: ${url}${EXPLORER_PATH}`,
    ...(sampleApp === undefined ? [] : [`  sample app (sign-in with PKCE): ${sampleApp.url}/`]),
    `  scopes: ${scopesFile} (watched)   authorizer cache: ${ttl} s   data: ${dataDir ?? 'in memory'}`,
    `  tokens: ${identity.mode === 'oidc' ? `from ${identity.issuer}` : 'built-in token service'}`,
    ...providers.map((provider) => `  tokens: from ${provider.issuer}`),
    `  DynamoDB: ${stack.dynamo.endpoint}   table: ${stack.tableName}   (npm run admin finds both by itself)`,
    '',
    'Routes (who may call them):',
    ...formatRoutes(describeRoutes(stack.model())).map((line) => `  ${line}`),
    '',
  ];
  if (stack.seed?.generatedPassword !== undefined) {
    lines.push(
      `Admin: user "${ADMIN_USERNAME}", password ${stack.seed.generatedPassword}`,
      '  (shown once, stored only as a hash; set LOCAL_ADMIN_PASSWORD to choose it)',
      '',
    );
  } else if (stack.seed?.adminCreated === true) {
    lines.push(`Admin: user "${ADMIN_USERNAME}", password from LOCAL_ADMIN_PASSWORD`, '');
  } else if (stack.seed !== undefined) {
    lines.push(
      `Admin: user "${ADMIN_USERNAME}" was created by an earlier start; to give it a new password:`,
      `  npm run admin -- set-password --username ${ADMIN_USERNAME}`,
      '',
    );
  }
  if (identity.mode === 'builtin') {
    lines.push(
      'Try:',
      `  curl -s ${url}/auth/signup -d username=alice -d 'password=correct horse battery'`,
      `  TOKEN=$(curl -s ${url}/auth/token -d grant_type=password -d client_id=${LOCAL_CLIENT_ID} \\`,
      `    -d username=alice -d 'password=correct horse battery' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      `  curl -s ${url}/messages -H "Authorization: Bearer $TOKEN"`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' } } });
  const dataDir = values.data === undefined ? undefined : resolve(values.data);
  const scopesFile = resolve(process.env.SCOPES_FILE ?? 'scopes.yaml');
  const ttl = integerEnv('AUTHORIZER_TTL', 300, MAX_AUTHORIZER_TTL_SECONDS);
  const identity = identityFromEnv();
  const providers = identityProviders();
  const corsOrigins = (process.env.CORS_ORIGINS ?? '*')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const stack = await startLocalStack({
    port: integerEnv('PORT', 3000, 65535),
    scopesFile,
    // Named as `npm run scopes -- check` names it.
    scopesName: relative(process.cwd(), scopesFile) || scopesFile,
    ttlSeconds: ttl,
    identity,
    identityProviders: providers,
    corsOrigins,
    allowedHosts: (process.env.ALLOWED_HOSTS ?? '').split(','),
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(process.env.LOCAL_ADMIN_PASSWORD ? { adminPassword: process.env.LOCAL_ADMIN_PASSWORD } : {}),
    log: (entry) => process.stdout.write(`${formatRequestLog(entry)}\n`),
    notify: (message) => process.stderr.write(`${message}\n`),
    stateFile: defaultStateFile(process.env),
  });
  const sampleApp =
    identity.mode === 'builtin'
      ? await startSampleApp({
          issuer: stack.url,
          api: stack.url,
          clientId: LOCAL_CLIENT_ID,
          port: integerEnv('SAMPLE_APP_PORT', 3001, 65535),
        })
      : undefined;
  banner(stack, ttl, scopesFile, dataDir, identity, providers, sampleApp);
  let stopping = false;
  const stop = (signal: string): void => {
    // A second Ctrl-C while closing gives up waiting.
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    Promise.all([stack.close(), sampleApp?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
