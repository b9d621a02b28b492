// Runs the Pulumi program under Pulumi's mock runtime and records every resource it declares.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as settings from '@pulumi/pulumi/runtime/settings';
import { exportJWK, generateKeyPair } from 'jose';
import scopegate from '../../index';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const API_ID = 'a1b2c3d4e5';

export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface ProgramRun {
  resources: Declared[];
  outputs: Record<string, string>;
  /** What the program logged as warnings (`pulumi preview` shows them). */
  warnings: string[];
  of(type: string): Declared[];
}

/** State a provider would compute: ARNs, ids, URLs. */
function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : `${name}-0123abc`;
  switch (type) {
    case 'aws:dynamodb/table:Table':
      return { name: physical, arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}` };
    case 'aws:lambda/function:Function':
      return { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}` };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physical}` };
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${physical}` };
    case 'aws:secretsmanager/secret:Secret':
      return { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${physical}-AbCdEf` };
    case 'aws:apigateway/restApi:RestApi':
      return { executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}` };
    case 'aws:apigateway/stage:Stage':
      return {
        invokeUrl: `https://${API_ID}.execute-api.${REGION}.amazonaws.com/${String(inputs.stageName)}`,
      };
    default:
      return {};
  }
}

const CALLS: Record<string, Record<string, unknown>> = {
  'aws:index/getCallerIdentity:getCallerIdentity': {
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
  },
  'aws:index/getRegion:getRegion': { region: REGION, name: REGION },
  'aws:index/getPartition:getPartition': { partition: 'aws', dnsSuffix: 'amazonaws.com' },
};

const { waitForRPCs } = settings as unknown as { waitForRPCs: () => Promise<void> };

/** Resolves an Output to a promise, so assertions run outside `apply` (where a throw would be swallowed). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/**
 * Runs index.ts with this stack configuration (short keys, e.g. `{ identity: 'oidc' }`; `signingKey` is set as
 * a secret). Resolves once every declared resource has been registered.
 */
export async function runProgram(config: Record<string, string>): Promise<ProgramRun> {
  const resources: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs });
        const id = args.type === 'aws:apigateway/restApi:RestApi' ? API_ID : `${args.name}-id`;
        return { id, state: { ...inputs, ...computed(args.type, args.name, inputs) } };
      },
      call(args) {
        const result = CALLS[args.token];
        if (result === undefined) throw new Error(`unexpected call ${args.token}`);
        return result;
      },
    },
    'scopegate',
    'test',
    false,
  );
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`scopegate:${key}`, value])),
    ['scopegate:signingKey'],
  );
  // Without an engine, pulumi.log.warn writes `warning: [runtime] <message>` to console.warn.
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: unknown) => warnings.push(String(message).replace(/^warning: \[runtime\] /, ''));
  let program: ReturnType<typeof scopegate>;
  try {
    program = scopegate();
  } finally {
    console.warn = warn;
  }
  const { apiUrl, issuer, jwksUrl, tableName } = program;
  const outputs = {
    apiUrl: await valueOf(apiUrl),
    issuer: await valueOf(issuer),
    jwksUrl: await valueOf(jwksUrl),
    tableName: await valueOf(tableName),
  };
  await waitForRPCs();
  return {
    resources,
    outputs,
    warnings,
    of: (type) => resources.filter((resource) => resource.type === type),
  };
}

/** A fresh Ed25519 private JWK set, as `pulumi config set --secret signingKey` would hold it. */
export async function signingKeySecret(): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  return JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), kid: 'test-key-1' }] });
}

let scopesDir: string | undefined;
let written = 0;

/** Writes a scopes file to this run's temporary folder (removed when the process exits); returns its path. */
export function writeScopes(source: string): string {
  if (scopesDir === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scopegate-scopes-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    scopesDir = dir;
  }
  written += 1;
  const file = path.join(scopesDir, `scopes-${written}.yaml`);
  fs.writeFileSync(file, source);
  return file;
}

/** A scopes file with `count` routes over the messages and users functions, some bound to the caller. */
export function generatedScopes(count: number): string {
  const routes: string[] = [];
  const userGrants: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const fn = i % 2 === 0 ? 'messages' : 'users';
    routes.push(`  GET /area${i}/{itemId}: ${fn}`);
    userGrants.push(i % 3 === 0 ? `      - GET /area${i}/{itemId=sub}` : `      - GET /area${i}/{itemId}`);
  }
  return [
    'version: 1',
    'routes:',
    ...routes,
    '  GET /health: messages',
    'public:',
    '  - GET /health',
    'roles:',
    '  User:',
    '    grants:',
    ...userGrants,
    '',
  ].join('\n');
}

/** A built-in identity stack over the repository's scopes.yaml, the configuration a new user starts with. */
export async function defaultStack(extra: Record<string, string> = {}): Promise<ProgramRun> {
  return runProgram({ signingKey: await signingKeySecret(), ...extra });
}

/** Pulumi's wire form of a secret value in mock inputs. */
export const SECRET_SIG = '4dabf18193072939515e22adb298388d';

export function named(run: ProgramRun, type: string, name: string): Declared {
  const found = run.of(type).find((resource) => resource.name === name);
  if (found === undefined) throw new Error(`no ${type} named ${name}`);
  return found;
}
