import { runSimulation } from '@cloud-copilot/iam-simulate';
import { expect } from 'chai';
import { functionPolicy, INDEX_QUERIES, TABLE_ACTIONS, type PolicyJson } from '../../infra/iam';
import { defaultStack, named, type ProgramRun } from './support';

const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/table-0123abc`;
const policyOf = (run: ProgramRun, name: string): PolicyJson =>
  JSON.parse(named(run, 'aws:iam/rolePolicy:RolePolicy', name).inputs.policy as string) as PolicyJson;

async function decision(policy: PolicyJson, action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'role', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT}:role/fn`,
        resource: { accountId: ACCOUNT, resource },
        contextVariables: {},
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('functionPolicy', () => {
  it('grants a function no table access when its code uses none', () => {
    const policy = functionPolicy({
      logGroupArn: 'arn:aws:logs:r:1:log-group:/aws/lambda/x',
      tableArn: TABLE_ARN,
      tableActions: [],
    });
    expect(policy.Statement.map((s) => s.Sid)).to.deep.equal(['WriteOwnLogs']);
  });
});

describe('the roles the program declares', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack();
  });

  it('use no wildcard action and no wildcard resource but log streams and the API logging role', () => {
    for (const declared of run.of('aws:iam/rolePolicy:RolePolicy')) {
      const policy = JSON.parse(declared.inputs.policy as string) as PolicyJson;
      for (const statement of policy.Statement) {
        for (const action of statement.Action) expect(action, declared.name).not.to.contain('*');
        for (const resource of statement.Resource) {
          expect(resource, declared.name).not.to.equal('*');
          if (!resource.includes('*')) continue;
          // Lambda writes to streams it names itself; API Gateway's account role writes groups it creates.
          const logStreams =
            statement.Sid === 'WriteOwnLogs' && /:log-group:\/aws\/lambda\/[^*]+:\*$/.test(resource);
          const apiGatewayRole =
            declared.name === 'api-cloudwatch' && resource === `arn:aws:logs:eu-west-1:${ACCOUNT}:*`;
          expect(logStreams || apiGatewayRole, `${declared.name}: ${resource}`).to.equal(true);
        }
      }
    }
  });

  it('let the authorizer read the table with BatchGetItem and do nothing else', async () => {
    const policy = policyOf(run, 'authorizer');
    expect(policy.Statement.find((s) => s.Sid === 'UseTable')).to.deep.equal({
      Sid: 'UseTable',
      Effect: 'Allow',
      Action: ['dynamodb:BatchGetItem'],
      Resource: [TABLE_ARN],
    });
    expect(await decision(policy, 'dynamodb:BatchGetItem', TABLE_ARN)).to.equal('Allowed');
    expect(await decision(policy, 'dynamodb:GetItem', TABLE_ARN)).to.equal('ImplicitlyDenied');
    expect(await decision(policy, 'dynamodb:PutItem', TABLE_ARN)).to.equal('ImplicitlyDenied');
    expect(await decision(policy, 'dynamodb:BatchGetItem', `${TABLE_ARN}-other`)).to.equal(
      'ImplicitlyDenied',
    );
  });

  it('give each function exactly the table actions its code issues', () => {
    for (const fn of ['auth', 'messages', 'users']) {
      const table = policyOf(run, fn).Statement.find((s) => s.Sid === 'UseTable');
      expect(table?.Action, fn).to.deep.equal(TABLE_ACTIONS[fn]);
      expect(table?.Resource, fn).to.deep.equal([TABLE_ARN]);
    }
  });

  it('let the users function Query its user index and nothing else through an index', async () => {
    const index = `${TABLE_ARN}/index/users`;
    expect(INDEX_QUERIES).to.deep.equal({ users: ['users'] });
    const users = policyOf(run, 'users');
    expect(users.Statement.find((s) => s.Sid === 'QueryIndexes')).to.deep.equal({
      Sid: 'QueryIndexes',
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: [index],
    });
    expect(await decision(users, 'dynamodb:Query', index)).to.equal('Allowed');
    expect(await decision(users, 'dynamodb:Query', TABLE_ARN)).to.equal('ImplicitlyDenied');
    expect(await decision(users, 'dynamodb:Scan', TABLE_ARN)).to.equal('ImplicitlyDenied');
    expect(await decision(users, 'dynamodb:Scan', index)).to.equal('ImplicitlyDenied');
    for (const fn of ['auth', 'authorizer', 'messages']) {
      expect(
        policyOf(run, fn).Statement.map((s) => s.Sid),
        fn,
      ).not.to.include('QueryIndexes');
      expect(await decision(policyOf(run, fn), 'dynamodb:Query', index), fn).to.equal('ImplicitlyDenied');
    }
  });

  it('let only the token service read a secret, and only the signing keys', async () => {
    const secretArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:signing-keys-0123abc-AbCdEf`;
    const auth = policyOf(run, 'auth');
    expect(
      auth.Statement.filter((s) => s.Action.some((action) => action.startsWith('secretsmanager:'))),
    ).to.deep.equal([
      {
        Sid: 'ReadSigningKeys',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [secretArn],
      },
    ]);
    expect(await decision(auth, 'secretsmanager:GetSecretValue', secretArn)).to.equal('Allowed');
    for (const action of ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue']) {
      expect(await decision(auth, action, secretArn), action).to.equal('ImplicitlyDenied');
    }
    expect(await decision(auth, 'secretsmanager:GetSecretValue', `${secretArn}x`)).to.equal(
      'ImplicitlyDenied',
    );
    for (const fn of ['authorizer', 'messages', 'users']) {
      expect(await decision(policyOf(run, fn), 'secretsmanager:GetSecretValue', secretArn), fn).to.equal(
        'ImplicitlyDenied',
      );
    }
  });

  it('let each function write only its own log group', async () => {
    const policy = policyOf(run, 'messages');
    const own = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/scopegate-test-messages:log-stream:x`;
    const other = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/scopegate-test-users:log-stream:x`;
    expect(await decision(policy, 'logs:PutLogEvents', own)).to.equal('Allowed');
    expect(await decision(policy, 'logs:PutLogEvents', other)).to.equal('ImplicitlyDenied');
  });
});
