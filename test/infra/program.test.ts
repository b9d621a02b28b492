import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { compileScopes } from '../../policies';
import { documentRoutes, type OpenApiDocument } from '../../policies/openapi';
import { API_ID, defaultStack, named, runProgram, SECRET_SIG, writeScopes, type ProgramRun } from './support';

const FUNCTION = 'aws:lambda/function:Function';
const model = compileScopes(fs.readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8'));
const environmentOf = (run: ProgramRun, name: string) =>
  (named(run, FUNCTION, name).inputs.environment as { variables: Record<string, string> }).variables;

describe('the program (index.ts) with the built-in token service', () => {
  let run: ProgramRun;
  let signingKey: string;
  before(async () => {
    run = await defaultStack();
    const version = run.of('aws:secretsmanager/secretVersion:SecretVersion')[0]!;
    signingKey = (version.inputs.secretString as { value: string }).value;
  });

  it('exports the API URL, the issuer, the JWKS URL and the table name', () => {
    const apiUrl = `https://${API_ID}.execute-api.eu-west-1.amazonaws.com/v1`;
    expect(run.outputs).to.deep.equal({
      apiUrl,
      issuer: apiUrl,
      jwksUrl: `${apiUrl}/.well-known/jwks.json`,
      tableName: 'table-0123abc',
    });
  });

  it('declares one function per function named in scopes.yaml plus the authorizer', () => {
    expect(
      run
        .of(FUNCTION)
        .map((fn) => fn.name)
        .sort(),
    ).to.deep.equal(['auth', 'authorizer', 'messages', 'users']);
  });

  it('imports an API whose routes are exactly the compiled routes', () => {
    const body = JSON.parse(
      named(run, 'aws:apigateway/restApi:RestApi', 'api').inputs.body as string,
    ) as OpenApiDocument;
    expect(documentRoutes(body).sort()).to.deep.equal(
      model.routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  it('keeps the table on demand, recoverable, encrypted, expiring and protected', () => {
    expect(named(run, 'aws:dynamodb/table:Table', 'table').inputs).to.deep.include({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      ttl: { attributeName: 'expiresAt', enabled: true },
      deletionProtectionEnabled: true,
    });
  });

  it('keeps the signing keys a secret, stored in Secrets Manager only', () => {
    const version = run.of('aws:secretsmanager/secretVersion:SecretVersion')[0]!;
    expect(version.inputs.secretString).to.have.property(SECRET_SIG);
    const privateMember = (JSON.parse(signingKey) as { keys: { d: string }[] }).keys[0]!.d;
    for (const fn of run.of(FUNCTION)) {
      expect(JSON.stringify(fn.inputs), fn.name).not.to.contain(privateMember);
    }
  });

  it('gives the token service the secret ARN, no layer, and nothing of the key', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-keys-0123abc-AbCdEf';
    expect(environmentOf(run, 'auth')).to.deep.include({
      SCOPEGATE_SIGNING_KEYS_SECRET: secretArn,
      SCOPEGATE_ISSUER: run.outputs.issuer,
      SCOPEGATE_AUDIENCE: 'scopegate',
      SCOPEGATE_DEFAULT_ROLES: 'User',
    });
    expect(named(run, FUNCTION, 'auth').inputs.layers ?? []).to.deep.equal([]);
    // One full vCPU for scrypt; the other functions keep the default.
    expect(named(run, FUNCTION, 'auth').inputs.memorySize).to.equal(1769);
    expect(named(run, FUNCTION, 'messages').inputs.memorySize).to.equal(256);
    for (const name of ['authorizer', 'messages', 'users']) {
      expect(JSON.stringify(environmentOf(run, name)), name).not.to.contain('secretsmanager');
    }
  });

  it('gives the authorizer the issuer with the public keys inline and the table for the state check', () => {
    const environment = environmentOf(run, 'authorizer');
    expect(environment.SCOPEGATE_TABLE).to.equal('table-0123abc');
    const [issuer, ...others] = JSON.parse(environment.SCOPEGATE_ISSUERS!) as Record<string, unknown>[];
    expect(others).to.deep.equal([]);
    const publicKey = { ...(JSON.parse(signingKey) as { keys: Record<string, string>[] }).keys[0]! };
    delete publicKey.d;
    expect(issuer).to.deep.equal({
      issuer: run.outputs.issuer,
      audience: 'scopegate',
      jwks: { keys: [{ ...publicKey, alg: 'EdDSA', use: 'sig' }] },
      algorithms: ['EdDSA', 'ES256'],
      rolesClaims: ['scope'],
      checkState: true,
      typ: 'at+jwt',
    });
  });

  it('lets the users function check role names against scopes.yaml', () => {
    expect(environmentOf(run, 'users').SCOPEGATE_ROLES).to.equal('User Admin');
  });
});

describe('the program (index.ts) with an OIDC provider', () => {
  let run: ProgramRun;
  before(async () => {
    const file = writeScopes(
      fs
        .readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8')
        .split('\n')
        .filter((line) => !/auth|well-known|^public:/.test(line))
        .join('\n'),
    );
    run = await runProgram({
      scopesFile: file,
      identity: 'oidc',
      oidcIssuer: 'https://login.example.com/',
      oidcAudience: 'api://scopegate',
      oidcJwksUri: 'https://login.example.com/.well-known/jwks.json',
      oidcRolesClaim: 'roles',
      tableDeletionProtection: 'false',
    });
  });

  it('exports the provider as issuer and JWKS URL', () => {
    expect(run.outputs.issuer).to.equal('https://login.example.com/');
    expect(run.outputs.jwksUrl).to.equal('https://login.example.com/.well-known/jwks.json');
  });

  it('declares no secret and no token service', () => {
    expect(run.of('aws:secretsmanager/secret:Secret')).to.deep.equal([]);
    expect(
      run
        .of(FUNCTION)
        .map((fn) => fn.name)
        .sort(),
    ).to.deep.equal(['authorizer', 'messages', 'users']);
  });

  it('points the authorizer at the provider without a table', () => {
    const environment = environmentOf(run, 'authorizer');
    expect(environment.SCOPEGATE_TABLE).to.equal('');
    expect(JSON.parse(environment.SCOPEGATE_ISSUERS!)).to.deep.equal([
      {
        kind: 'oidc',
        issuer: 'https://login.example.com/',
        audience: 'api://scopegate',
        jwksUri: 'https://login.example.com/.well-known/jwks.json',
        algorithms: ['RS256'],
        rolesClaims: ['roles'],
        checkState: false,
      },
    ]);
  });

  it('turns table deletion protection off when configured', () => {
    expect(named(run, 'aws:dynamodb/table:Table', 'table').inputs.deletionProtectionEnabled).to.equal(false);
  });
});

describe('the program (index.ts) with identityProviders', () => {
  const cognito = {
    kind: 'cognito',
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
    clientIds: ['1example23456789'],
  };
  const keycloak = {
    kind: 'keycloak',
    issuer: 'https://sso.example.com/realms/demo',
    audience: 'scopegate-api',
  };
  const issuersOf = (run: ProgramRun) =>
    JSON.parse(environmentOf(run, 'authorizer').SCOPEGATE_ISSUERS!) as Record<string, unknown>[];

  it('trusts the providers after the built-in token service, as configured', async () => {
    const run = await defaultStack({ identityProviders: JSON.stringify([cognito, keycloak]) });
    const [builtin, ...providers] = issuersOf(run);
    expect(builtin).to.include({ issuer: run.outputs.issuer, checkState: true });
    expect(providers).to.deep.equal([cognito, keycloak]);
  });

  it('trusts only the providers when scopes.yaml deploys no token service', async () => {
    const file = writeScopes(
      fs
        .readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8')
        .split('\n')
        .filter((line) => !/auth|well-known|^public:/.test(line))
        .join('\n'),
    );
    const run = await runProgram({
      scopesFile: file,
      identityProviders: JSON.stringify([cognito]),
      tableDeletionProtection: 'false',
    });
    expect(issuersOf(run)).to.deep.equal([cognito]);
    expect(run.of('aws:secretsmanager/secret:Secret')).to.deep.equal([]);
  });
});
