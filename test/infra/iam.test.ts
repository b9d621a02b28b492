import { runSimulation } from '@cloud-copilot/iam-simulate';
import { expect } from 'chai';
import { functionPolicy, TABLE_ACCESS, type PolicyJson } from '../../infra/iam';
import * as tokenTable from '../../functions/lib/token-table';
import { ITEM_KINDS, type ItemKind } from '../../functions/lib/token-table';
import { defaultStack, named, type ProgramRun } from './support';

const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/table-0123abc`;
const policyOf = (run: ProgramRun, name: string): PolicyJson =>
  JSON.parse(named(run, 'aws:iam/rolePolicy:RolePolicy', name).inputs.policy as string) as PolicyJson;

async function decision(
  policy: PolicyJson,
  action: string,
  resource: string,
  contextVariables: Record<string, string | string[]> = {},
): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'role', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT}:role/fn`,
        resource: { accountId: ACCOUNT, resource },
        contextVariables,
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
      table: { actions: [], kinds: [] },
    });
    expect(policy.Statement.map((s) => s.Sid)).to.deep.equal(['WriteOwnLogs']);
  });

  it('lets a traced function write X-Ray segments, which have no resource-level permissions', async () => {
    const grants = { logGroupArn: 'arn:aws:logs:r:1:log-group:/aws/lambda/x', tableArn: TABLE_ARN };
    const traced = functionPolicy({ ...grants, table: { actions: [], kinds: [] }, tracing: true });
    const untraced = functionPolicy({ ...grants, table: { actions: [], kinds: [] } });
    expect(traced.Statement.at(-1)).to.deep.equal({
      Sid: 'WriteTraces',
      Effect: 'Allow',
      Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      Resource: ['*'],
    });
    expect(await decision(traced, 'xray:PutTraceSegments', '*')).to.equal('Allowed');
    expect(await decision(untraced, 'xray:PutTraceSegments', '*')).to.equal('ImplicitlyDenied');
  });
});

describe('ITEM_KINDS', () => {
  // Table key builders (an index key, such as userIndexKey, has no `pk`).
  const builders = Object.entries(tokenTable).filter(
    (entry): entry is [string, (id: string, other: string) => tokenTable.TableKey] =>
      entry[0].endsWith('Key') && typeof entry[1] === 'function' && entry[0] !== 'userIndexKey',
  );

  it('names the kind of every key the table code builds, and one kind only', () => {
    expect(builders.map(([name]) => name).sort()).to.deep.equal([
      'clientKey',
      'loginSourceKey',
      'loginWindowKey',
      'refreshKey',
      'revokedTokenKey',
      'roleGuardKey',
      'sessionKey',
      'userKey',
      'usernameKey',
    ]);
    for (const [name, build] of builders) {
      const { pk } = build('x', 'y');
      const kinds = Object.entries(ITEM_KINDS).filter(([, kind]) =>
        'singlePartition' in kind ? pk === kind.prefix : pk === `${kind.prefix}x`,
      );
      expect(
        kinds.map(([kind]) => kind),
        name,
      ).to.have.length(1);
    }
  });

  it('keeps every prefix apart from every other: none matches another kind’s keys', () => {
    for (const a of Object.keys(ITEM_KINDS)) {
      for (const [b, kindB] of Object.entries(ITEM_KINDS)) {
        if (a === b) continue;
        const pattern = tokenTable.partitionKeyPattern(a as ItemKind);
        const key = `${kindB.prefix}${'singlePartition' in kindB ? '' : 'x'}`;
        const matches = pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : key === pattern;
        expect(matches, `${a} pattern ${pattern} on ${key}`).to.equal(false);
      }
    }
  });
});

describe('the roles the program declares', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack();
  });

  it('use no wildcard action and no wildcard resource but log streams, the API logging role and X-Ray', async () => {
    // Every optional grant on: the account's logging role and tracing.
    const full = await defaultStack({ manageApiGatewayAccount: 'true', tracing: 'true' });
    const names = full.of('aws:iam/rolePolicy:RolePolicy').map((declared) => declared.name);
    expect(names.sort()).to.deep.equal(['api-cloudwatch', 'auth', 'authorizer', 'messages', 'users']);
    for (const declared of full.of('aws:iam/rolePolicy:RolePolicy')) {
      const policy = JSON.parse(declared.inputs.policy as string) as PolicyJson;
      for (const statement of policy.Statement) {
        for (const action of statement.Action) expect(action, declared.name).not.to.contain('*');
        for (const resource of statement.Resource) {
          if (!resource.includes('*')) continue;
          // Lambda writes to streams it names itself; API Gateway's account role writes groups it creates;
          // X-Ray has no resource-level permissions.
          const logStreams =
            statement.Sid === 'WriteOwnLogs' && /:log-group:\/aws\/lambda\/[^*]+:\*$/.test(resource);
          const apiGatewayRole =
            declared.name === 'api-cloudwatch' && resource === `arn:aws:logs:eu-west-1:${ACCOUNT}:*`;
          const traces =
            statement.Sid === 'WriteTraces' &&
            resource === '*' &&
            statement.Action.every((action) => action.startsWith('xray:Put'));
          expect(logStreams || apiGatewayRole || traces, `${declared.name}: ${resource}`).to.equal(true);
        }
      }
    }
  });

  /** Which item kinds each function's code reads or writes, written out independently of TABLE_ACCESS. */
  const EXPECTED: Record<string, { actions: string[]; kinds: ItemKind[] }[]> = {
    authorizer: [{ actions: ['dynamodb:BatchGetItem'], kinds: ['revoked', 'session', 'user', 'client'] }],
    auth: [
      {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        kinds: ['user', 'username', 'client', 'session', 'refresh', 'revoked', 'login'],
      },
    ],
    messages: [
      { actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], kinds: ['message'] },
    ],
    users: [
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], kinds: ['user'] },
      { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], kinds: ['roleGuard'] },
    ],
  };
  const TABLE_ACTIONS_USED = [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'dynamodb:BatchWriteItem',
    'dynamodb:Scan',
  ];
  const keyOf = (kind: ItemKind): string => {
    const entry: { prefix: string; singlePartition?: true } = ITEM_KINDS[kind];
    return entry.singlePartition === true ? entry.prefix : `${entry.prefix}abc123`;
  };
  const leadingKeys = (...keys: string[]) => ({ 'dynamodb:LeadingKeys': keys });

  it('give each function exactly its actions on exactly its item kinds (IAM simulation of every pair)', async () => {
    expect(Object.keys(TABLE_ACCESS).sort()).to.deep.equal(Object.keys(EXPECTED).sort());
    for (const [fn, expected] of Object.entries(EXPECTED)) {
      const policy = policyOf(run, fn);
      for (const action of TABLE_ACTIONS_USED) {
        for (const kind of Object.keys(ITEM_KINDS) as ItemKind[]) {
          const allowed = expected.some((e) => e.actions.includes(action) && e.kinds.includes(kind));
          const result = await decision(policy, action, TABLE_ARN, leadingKeys(keyOf(kind)));
          expect(result, `${fn} ${action} ${kind}`).to.equal(allowed ? 'Allowed' : 'ImplicitlyDenied');
        }
      }
    }
  });

  it('refuse the messages role a REVOKED# or SESSION# item, and the users role refresh-token hashes', async () => {
    const messages = policyOf(run, 'messages');
    const users = policyOf(run, 'users');
    const cases: [PolicyJson, string, string][] = [
      [messages, 'dynamodb:PutItem', 'REVOKED#0b5c2a'],
      [messages, 'dynamodb:PutItem', 'SESSION#s1'],
      [messages, 'dynamodb:DeleteItem', 'USER#u1'],
      [users, 'dynamodb:GetItem', 'REFRESH#9f86d081884c7d65'],
      [users, 'dynamodb:UpdateItem', 'SESSION#s1'],
      [users, 'dynamodb:UpdateItem', 'USERNAME#alice'],
    ];
    for (const [policy, action, key] of cases) {
      expect(await decision(policy, action, TABLE_ARN, leadingKeys(key)), `${action} ${key}`).to.equal(
        'ImplicitlyDenied',
      );
    }
    // A batch is refused when one of its keys is outside the function's kinds.
    const authorizer = policyOf(run, 'authorizer');
    expect(
      await decision(
        authorizer,
        'dynamodb:BatchGetItem',
        TABLE_ARN,
        leadingKeys('REVOKED#j', 'SESSION#s', 'USER#u'),
      ),
    ).to.equal('Allowed');
    expect(
      await decision(authorizer, 'dynamodb:BatchGetItem', TABLE_ARN, leadingKeys('REVOKED#j', 'REFRESH#h')),
    ).to.equal('ImplicitlyDenied');
  });

  it('refuse a keyed action that names no key, and the table actions on another table', async () => {
    for (const fn of Object.keys(EXPECTED)) {
      const action = EXPECTED[fn]![0]!.actions[0]!;
      expect(await decision(policyOf(run, fn), action, TABLE_ARN), fn).to.equal('ImplicitlyDenied');
      const key = leadingKeys(keyOf(EXPECTED[fn]![0]!.kinds[0]!));
      expect(await decision(policyOf(run, fn), action, `${TABLE_ARN}-other`, key), fn).to.equal(
        'ImplicitlyDenied',
      );
    }
  });

  it('let the users role scan for keys only, never an attribute such as a password hash', async () => {
    const users = policyOf(run, 'users');
    const scan = (attributes: string[] | undefined, select: string) =>
      decision(users, 'dynamodb:Scan', TABLE_ARN, {
        'dynamodb:Select': select,
        ...(attributes === undefined ? {} : { 'dynamodb:Attributes': attributes }),
      });
    expect(await scan(['pk'], 'SPECIFIC_ATTRIBUTES')).to.equal('Allowed');
    expect(await scan(['pk', 'passwordHash'], 'SPECIFIC_ATTRIBUTES')).to.equal('ImplicitlyDenied');
    expect(await scan(['roles'], 'SPECIFIC_ATTRIBUTES')).to.equal('ImplicitlyDenied');
    expect(await scan(undefined, 'ALL_ATTRIBUTES')).to.equal('ImplicitlyDenied');
    expect(await scan(['pk'], 'ALL_ATTRIBUTES')).to.equal('ImplicitlyDenied');
    for (const fn of ['auth', 'authorizer', 'messages']) {
      expect(await decision(policyOf(run, fn), 'dynamodb:Scan', TABLE_ARN), fn).to.equal('ImplicitlyDenied');
    }
  });

  it('let the users function Query its user index and nothing else through an index', async () => {
    const index = `${TABLE_ARN}/index/users`;
    expect(TABLE_ACCESS.users!.indexes).to.deep.equal(['users']);
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
