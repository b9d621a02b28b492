import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import {
  configsOn,
  PROVIDERS,
  rsaKey,
  signShape,
  startIdpServer,
  type IdpServer,
  type ProviderFixture,
  type RsaKey,
  type Shape,
} from '../functions/authorizer/provider-shapes';

const ROOT = join(__dirname, '../..');
const SCOPES_FILE = join(ROOT, 'scopes.yaml');
const CHEAP_SCRYPT = { logN: 10, r: 8, p: 1 };
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function status(url: string, method: string, path: string, token: string): Promise<number> {
  const response = await fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

describe('startLocalStack with identity providers beside the built-in token service', () => {
  let idp: IdpServer;
  let stack: LocalStack;
  const keys = new Map<string, RsaKey>();
  const signed = (provider: ProviderFixture, shape: Shape) => signShape(shape, keys.get(provider.kind)!);

  before(async () => {
    idp = await startIdpServer();
    for (const provider of PROVIDERS) {
      const key = await rsaKey(`${provider.kind}-local-1`);
      keys.set(provider.kind, key);
      idp.publish(provider.jwksPath, [key]);
    }
    stack = await startLocalStack({
      port: 0,
      scopesFile: SCOPES_FILE,
      watch: false,
      ttlSeconds: 60,
      identityProviders: configsOn(idp),
      adminPassword: 'admin password for tests',
      passwordParams: CHEAP_SCRYPT,
    });
  });
  after(async () => {
    await stack.close();
    await idp.close();
  });

  it('still serves the built-in token service and its tokens', async () => {
    const response = await fetch(`${stack.url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'local',
        username: 'admin',
        password: 'admin password for tests',
      }).toString(),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect(await status(stack.url, 'GET', '/users', token)).to.equal(200);
  });

  for (const provider of PROVIDERS) {
    it(`${provider.kind}: access tokens decide routes as scopes.yaml says; ID and other tokens get 401`, async () => {
      const user = await signed(provider, provider.access(`${provider.kind}-user`, 'User', nowSeconds()));
      expect(await status(stack.url, 'GET', '/messages', user)).to.equal(200);
      expect(await status(stack.url, 'DELETE', '/messages/m-1', user)).to.equal(403);
      expect(await status(stack.url, 'GET', '/users', user)).to.equal(403);
      const admin = await signed(provider, provider.access(`${provider.kind}-admin`, 'Admin', nowSeconds()));
      expect(await status(stack.url, 'GET', '/users', admin)).to.equal(200);
      for (const refused of provider.refused) {
        const token = await signed(provider, refused.shape(nowSeconds()));
        expect(await status(stack.url, 'GET', '/messages', token), refused.name).to.equal(401);
      }
      const shape = provider.access('someone', 'Admin', nowSeconds());
      const elsewhere = { ...shape, claims: { ...shape.claims, iss: 'https://evil.example/' } };
      expect(await status(stack.url, 'GET', '/messages', await signed(provider, elsewhere))).to.equal(401);
    });
  }

  it('accepts tokens signed by keys each provider published a moment ago, on first use', async () => {
    const rotated = await Promise.all(
      PROVIDERS.map(async (provider) => {
        const key = await rsaKey(`${provider.kind}-local-2`);
        idp.publish(provider.jwksPath, [keys.get(provider.kind)!, key]);
        return signShape(provider.access(`${provider.kind}-rotated`, 'Admin', nowSeconds()), key);
      }),
    );
    const statuses = await Promise.all(rotated.map((token) => status(stack.url, 'GET', '/users', token)));
    expect(statuses).to.deep.equal(PROVIDERS.map(() => 200));
  });
});

describe('npm start with IDENTITY_PROVIDERS', () => {
  /** Runs local/start.ts as `npm start` does; resolves with its URL once it listens, or its exit. */
  function start(env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: ROOT,
      // Port 0 for the sample app too: other tests start stacks at the same time.
      env: {
        ...process.env,
        PORT: '0',
        SAMPLE_APP_PORT: '0',
        LOCAL_ADMIN_PASSWORD: 'admin password for tests',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const ready = new Promise<{ url?: string; code?: number | null; stderr: string }>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const url = /scopegate is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
        if (url !== undefined) resolve({ url, stderr });
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    const stop = () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      });
    return { ready, stop, output: () => stdout };
  }

  it('trusts the providers of the JSON list and names them in the banner', async () => {
    const idp = await startIdpServer();
    const [cognito, keycloak] = [PROVIDERS[0]!, PROVIDERS[4]!];
    const key = await rsaKey('npm-start-1');
    idp.publish(cognito.jwksPath, [key]);
    idp.publish(keycloak.jwksPath, [key]);
    const configs = configsOn(idp).filter((config) =>
      [cognito.issuer, keycloak.issuer].includes(config.issuer),
    );
    const run = start({ IDENTITY_PROVIDERS: JSON.stringify(configs) });
    try {
      const { url } = await run.ready;
      expect(url, run.output()).to.be.a('string');
      expect(run.output()).to.contain(
        `  tokens: from ${cognito.issuer}\n  tokens: from ${keycloak.issuer}\n`,
      );
      for (const provider of [cognito, keycloak]) {
        const token = await signShape(provider.access('u-1', 'User', nowSeconds()), key);
        expect(await status(url!, 'GET', '/messages', token)).to.equal(200);
        const id = await signShape(provider.refused[0]!.shape(nowSeconds()), key);
        expect(await status(url!, 'GET', '/messages', id)).to.equal(401);
      }
    } finally {
      await run.stop();
      await idp.close();
    }
  });

  it('refuses to start on a bad provider, naming the variable, the entry and the setting', async () => {
    const run = start({
      IDENTITY_PROVIDERS: JSON.stringify([{ kind: 'okta', issuer: 'https://org.okta.com', audience: 'api' }]),
    });
    const outcome = await run.ready;
    expect(outcome.code).to.equal(1);
    expect(outcome.stderr).to.equal(
      'IDENTITY_PROVIDERS[0].issuer: "https://org.okta.com" is not an issuer of kind "okta". Expected https://<org domain>/oauth2/<authorizationServerId> (a custom authorization server)\n',
    );
  });
});
