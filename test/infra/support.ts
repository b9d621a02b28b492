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
  /** The `retainOnDelete` resource option: `pulumi destroy` leaves the resource in place. */
  retainOnDelete: boolean;
}

export interface ProgramRun {
  resources: Declared[];
  outputs: Record<string, string>;
  /** What the program logged as warnings (`pulumi preview` shows them). */
  warnings: string[];
  of(type: string): Declared[];
}

/** Where the mock stack runs: the provider's region, partition and DNS suffix. */
export interface Place {
  region: string;
  partition: string;
  dnsSuffix: string;
}

export const EU_WEST_1: Place = { region: REGION, partition: 'aws', dnsSuffix: 'amazonaws.com' };
export const CN_NORTH_1: Place = { region: 'cn-north-1', partition: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' };

/** State a provider would compute: ARNs, ids, URLs, in the partition the stack runs in. */
function computed(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  place: Place,
): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : `${name}-0123abc`;
  const { region, partition, dnsSuffix } = place;
  const arn = (service: string, resource: string, where = `${region}:${ACCOUNT}`) =>
    `arn:${partition}:${service}:${where}:${resource}`;
  switch (type) {
    case 'aws:dynamodb/table:Table':
      return { name: physical, arn: arn('dynamodb', `table/${physical}`) };
    case 'aws:lambda/function:Function':
      return { arn: arn('lambda', `function:${physical}`) };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { arn: arn('logs', `log-group:${physical}`) };
    case 'aws:iam/role:Role':
      return { arn: arn('iam', `role/${physical}`, `:${ACCOUNT}`) };
    case 'aws:secretsmanager/secret:Secret':
      return { arn: arn('secretsmanager', `secret:${physical}-AbCdEf`) };
    case 'aws:sns/topic:Topic':
      return { arn: arn('sns', physical) };
    case 'aws:apigateway/restApi:RestApi':
      return { executionArn: arn('execute-api', API_ID) };
    case 'aws:apigateway/stage:Stage':
      return {
        arn: arn('apigateway', `/restapis/${API_ID}/stages/${String(inputs.stageName)}`, `${region}:`),
        invokeUrl: `https://${API_ID}.execute-api.${region}.${dnsSuffix}/${String(inputs.stageName)}`,
      };
    case 'aws:apigateway/domainName:DomainName':
      return {
        regionalDomainName: `d-abc123.execute-api.${region}.${dnsSuffix}`,
        regionalZoneId: 'ZREGIONAL123',
      };
    case 'aws:wafv2/webAcl:WebAcl':
      return { arn: arn('wafv2', `regional/webacl/${physical}/0123-abcd`) };
    default:
      return {};
  }
}

const calls = (place: Place): Record<string, Record<string, unknown>> => ({
  'aws:index/getCallerIdentity:getCallerIdentity': {
    accountId: ACCOUNT,
    arn: `arn:${place.partition}:iam::${ACCOUNT}:user/ci`,
  },
  'aws:index/getRegion:getRegion': { region: place.region, name: place.region },
  'aws:index/getPartition:getPartition': { partition: place.partition, dnsSuffix: place.dnsSuffix },
});

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getRetainondelete(): boolean;
}
interface Monitor {
  registerResource(request: RegisterRequest, callback: unknown): Promise<void>;
}
const { waitForRPCs, getMonitor } = settings as unknown as {
  waitForRPCs: () => Promise<void>;
  getMonitor: () => Monitor;
};

/** Resolves an Output to a promise, so assertions run outside `apply` (where a throw would be swallowed). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/**
 * Runs index.ts with this stack configuration (short keys, e.g. `{ identity: 'oidc' }`, or full ones such as
 * `aws:defaultTags`; `signingKey` is set as a secret). Resolves once every declared resource has been registered.
 */
export async function runProgram(config: Record<string, string>, place = EU_WEST_1): Promise<ProgramRun> {
  const resources: Declared[] = [];
  const CALLS = calls(place);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs, retainOnDelete: false });
        const id = args.type === 'aws:apigateway/restApi:RestApi' ? API_ID : `${args.name}-id`;
        return { id, state: { ...inputs, ...computed(args.type, args.name, inputs, place) } };
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
  // The mocks see no resource options: the monitor's request carries them.
  const monitor = getMonitor();
  const register = monitor.registerResource.bind(monitor);
  const retained = new Set<string>();
  monitor.registerResource = (request, callback) => {
    if (request.getRetainondelete()) retained.add(`${request.getType()} ${request.getName()}`);
    return register(request, callback);
  };
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([key, value]) => [key.includes(':') ? key : `scopegate:${key}`, value]),
    ),
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
  for (const resource of resources)
    resource.retainOnDelete = retained.has(`${resource.type} ${resource.name}`);
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
export async function defaultStack(
  extra: Record<string, string> = {},
  place = EU_WEST_1,
): Promise<ProgramRun> {
  return runProgram({ signingKey: await signingKeySecret(), ...extra }, place);
}

/** Pulumi's wire form of a secret value in mock inputs. */
export const SECRET_SIG = '4dabf18193072939515e22adb298388d';

export function named(run: ProgramRun, type: string, name: string): Declared {
  const found = run.of(type).find((resource) => resource.name === name);
  if (found === undefined) throw new Error(`no ${type} named ${name}`);
  return found;
}
