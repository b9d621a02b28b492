import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { compileScopes } from '../../policies';
import { documentRoutes, type OpenApiDocument } from '../../policies/openapi';
import {
  API_ID,
  CN_NORTH_1,
  defaultStack,
  generatedScopes,
  named,
  runProgram,
  SECRET_SIG,
  signingKeySecret,
  writeScopes,
  type ProgramRun,
} from './support';

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

  it('indexes the users, and nothing else, by name, with the profile only (never a password hash)', () => {
    const inputs = named(run, 'aws:dynamodb/table:Table', 'table').inputs;
    expect(inputs.attributes).to.deep.equal([
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
      { name: 'userList', type: 'S' },
      { name: 'username', type: 'S' },
    ]);
    expect(inputs.globalSecondaryIndexes).to.deep.equal([
      {
        name: 'users',
        hashKey: 'userList',
        rangeKey: 'username',
        projectionType: 'INCLUDE',
        nonKeyAttributes: ['sub', 'roles', 'disabled', 'createdAt'],
      },
    ]);
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

  it('warns of nothing for the shipped scopes.yaml', () => {
    expect(run.warnings).to.deep.equal([]);
  });
});

describe('the program (index.ts) with a route its function does not serve', () => {
  it('warns of it in the preview, and of a served route nobody declares', async () => {
    const source = fs
      .readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8')
      .replace('  DELETE /messages/{messageId}: messages\n', '  GET /messages/{messageId}: messages\n');
    const file = writeScopes(source);
    const run = await runProgram({ scopesFile: file, signingKey: await signingKeySecret() });
    const line = source.split('\n').indexOf('  GET /messages/{messageId}: messages') + 1;
    const name = path.basename(file);
    expect(run.warnings).to.deep.equal([
      `${name}:${line}:3: route "GET /messages/{messageId}" goes to function "messages", which does not serve it (it would answer 404). Expected one of: GET /messages, POST /messages, DELETE /messages/{messageId}`,
      `${name}:${line - 2}:18: function "messages" serves "DELETE /messages/{messageId}", which is not declared: it is unreachable`,
    ]);
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

/** Every production option on, so every kind of resource the program can declare is there. */
const EVERYTHING = {
  manageApiGatewayAccount: 'true',
  domainName: 'api.example.com',
  domainHostedZoneId: 'Z0123456789ABC',
  alarmEmail: 'oncall@example.com',
  dashboard: 'true',
  tracing: 'true',
  wafAuthRateLimit: '300',
};
const CERTIFICATE = (partition: string, region: string) =>
  `arn:${partition}:acm:${region}:123456789012:certificate/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7`;

/** Whether the provider's own declaration of a resource type's arguments has `tags` (`aws:sns/topic:Topic`). */
function taggable(type: string): boolean {
  const [, module, name] = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):/.exec(type) ?? [];
  if (module === undefined || name === undefined) throw new TypeError(`not an AWS resource type: ${type}`);
  const declaration = fs.readFileSync(
    path.join(__dirname, '../../node_modules/@pulumi/aws', module, `${name}.d.ts`),
    'utf8',
  );
  const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(declaration)?.[1];
  if (args === undefined) throw new TypeError(`no arguments declared for ${type}`);
  return /\n\s+tags\?:/.test(args);
}

describe('the program with every production option', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack({ ...EVERYTHING, domainCertificateArn: CERTIFICATE('aws', 'eu-west-1') });
  });

  it('tags every taggable resource with the project and the stack', () => {
    const types = [...new Set(run.resources.map((resource) => resource.type))].filter((type) =>
      type.startsWith('aws:'),
    );
    const tagged = types.filter(taggable).sort();
    // The reading of the provider's declarations finds both kinds.
    expect(tagged).to.include.members(['aws:dynamodb/table:Table', 'aws:wafv2/webAcl:WebAcl']);
    expect(types.filter((type) => !taggable(type))).to.include.members([
      'aws:iam/rolePolicy:RolePolicy',
      'aws:lambda/permission:Permission',
    ]);
    for (const resource of run.resources.filter((declared) => tagged.includes(declared.type))) {
      expect(resource.inputs.tags, `${resource.type} ${resource.name}`).to.deep.equal({
        'pulumi:project': 'scopegate',
        'pulumi:stack': 'test',
      });
    }
  });

  it('declares the same resources for 10 routes as for 500', async () => {
    const certificate = CERTIFICATE('aws', 'eu-west-1');
    // One after the other: the mock runtime is global to the process.
    const small = await defaultStack({
      ...EVERYTHING,
      domainCertificateArn: certificate,
      scopesFile: writeScopes(generatedScopes(10)),
    });
    const large = await defaultStack({
      ...EVERYTHING,
      domainCertificateArn: certificate,
      scopesFile: writeScopes(generatedScopes(500)),
    });
    const kinds = (of: ProgramRun) => of.resources.map((r) => `${r.type} ${r.name}`).sort();
    expect(kinds(large)).to.deep.equal(kinds(small));
    expect(small.of('aws:wafv2/webAcl:WebAcl')).to.have.length(1);
  });
});

describe('the program in another partition (cn-north-1)', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack(
      { ...EVERYTHING, domainCertificateArn: CERTIFICATE('aws-cn', 'cn-north-1') },
      CN_NORTH_1,
    );
  });

  it('builds no ARN of the aws partition', () => {
    const inputs = JSON.stringify(run.resources.map((resource) => resource.inputs));
    expect(inputs).to.contain('arn:aws-cn:');
    expect(inputs).not.to.contain('arn:aws:');
    expect(JSON.stringify(run.outputs)).not.to.contain('arn:aws:');
  });

  it('writes the partition into the invoke ARNs and the API Gateway logging role', () => {
    const body = JSON.parse(named(run, 'aws:apigateway/restApi:RestApi', 'api').inputs.body as string) as {
      components: {
        securitySchemes: Record<string, { 'x-amazon-apigateway-authorizer': { authorizerUri: string } }>;
      };
    };
    const uris = Object.values(body.components.securitySchemes).map(
      (scheme) => scheme['x-amazon-apigateway-authorizer'].authorizerUri,
    );
    for (const uri of uris) {
      expect(uri).to.equal(
        'arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/arn:aws-cn:lambda:cn-north-1:123456789012:function:scopegate-test-authorizer/invocations',
      );
    }
    const logging = JSON.parse(
      named(run, 'aws:iam/rolePolicy:RolePolicy', 'api-cloudwatch').inputs.policy as string,
    ) as { Statement: { Resource: string[] }[] };
    expect(logging.Statement[0]!.Resource).to.deep.equal(['arn:aws-cn:logs:cn-north-1:123456789012:*']);
  });
});
