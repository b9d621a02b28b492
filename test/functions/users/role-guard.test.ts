import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { roleGuardKey, userKey } from '../../../functions/lib/token-table';
import { createUsersHandler } from '../../../functions/users/handler';
import { createRoleGuard, rolesThatManageRoles } from '../../../functions/users/role-guard';
import { createUserStore } from '../../../functions/users/user-store';
import { compileScopes } from '../../../policies/index';
import { createTable, startLocalDynamo, type LocalDynamo } from '../../../local/dynamodb';
import { proxyEvent } from '../lib/events';

const TABLE = 'scopegate-role-guard-test';
const parse = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;
const model = compileScopes(readFileSync(join(__dirname, '../../../scopes.yaml'), 'utf8'), 'scopes.yaml');

describe('the role guard', () => {
  let dynamo: LocalDynamo;
  let clock = 1_768_435_200_000;
  let users: ReturnType<typeof createUsersHandler>;

  const put = (item: Record<string, unknown>) =>
    dynamo.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
  const putUser = (sub: string, roles: string[], disabled = false) =>
    put({ ...userKey(sub), sub, username: sub, passwordHash: 'x', roles, disabled, createdAt: 1 });
  const setRoles = (userId: string, roles: string[], caller = userId) =>
    users.handle(
      proxyEvent({
        method: 'PUT',
        resource: '/users/{userId}/roles',
        pathParameters: { userId },
        body: { roles },
        caller: { sub: caller, roles: 'Admin' },
      }),
    );

  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, TABLE);
    users = createUsersHandler({
      store: createUserStore(dynamo.documents, TABLE),
      knownRoles: model.roles.map((role) => role.name),
      corsOrigins: ['*'],
      roleGuard: createRoleGuard(dynamo.documents, TABLE, rolesThatManageRoles(model), () => clock),
    });
  });
  after(() => dynamo.close());

  it('finds the roles granted PUT /users/{userId}/roles in scopes.yaml', () => {
    expect(rolesThatManageRoles(model)).to.deep.equal(['Admin']);
  });

  it('refuses the last enabled Admin removing its own Admin with 409, and changes nothing', async () => {
    await putUser('solo-admin', ['Admin']);
    await putUser('off-admin', ['Admin'], true);
    for (const roles of [[], ['User']]) {
      const response = await setRoles('solo-admin', roles);
      expect(response.statusCode).to.equal(409);
      expect(parse(response.body)).to.deep.equal({
        error: 'this would leave no enabled user who may manage roles',
      });
    }
    const { Items = [] } = await dynamo.documents.send(
      new ScanCommand({ TableName: TABLE, ConsistentRead: true }),
    );
    expect(Items.find((item) => item.sub === 'solo-admin')?.roles).to.deep.equal(['Admin']);
    // The lease was given back.
    expect(Items.some((item) => item.pk === roleGuardKey().pk)).to.equal(false);
  });

  it('lets an Admin step down while another enabled Admin remains, and keeps that one', async () => {
    await putUser('second-admin', ['Admin']);
    expect((await setRoles('solo-admin', ['User'])).statusCode).to.equal(200);
    expect((await setRoles('second-admin', [])).statusCode).to.equal(409);
    expect((await setRoles('second-admin', ['Admin', 'User'])).statusCode).to.equal(200);
  });

  it('lets exactly one of two Admins demoting each other at once succeed', async () => {
    await putUser('pair-a', ['Admin']);
    await putUser('pair-b', ['Admin']);
    expect((await setRoles('second-admin', ['User'])).statusCode).to.equal(200);
    const [a, b] = await Promise.all([
      setRoles('pair-b', ['User'], 'pair-a'),
      setRoles('pair-a', ['User'], 'pair-b'),
    ]);
    expect([a.statusCode, b.statusCode].sort()).to.deep.equal([200, 409]);
    const { Items = [] } = await dynamo.documents.send(
      new ScanCommand({ TableName: TABLE, ConsistentRead: true }),
    );
    const admins = Items.filter(
      (item) => Array.isArray(item.roles) && item.roles.includes('Admin') && item.disabled !== true,
    );
    expect(admins.map((item) => String(item.sub))).to.have.length(1);
  });

  it('takes over a lease whose holder died, once it has expired', async () => {
    await put({ ...roleGuardKey(), owner: 'crashed', expiresAt: Math.floor(clock / 1000) + 10 });
    await putUser('third-admin', ['Admin']);
    const busy = await setRoles('third-admin', ['User']);
    expect(busy.statusCode).to.equal(409);
    expect(parse(busy.body)).to.deep.equal({ error: 'another role change is in progress; retry' });
    clock += 10_000;
    expect((await setRoles('third-admin', ['User'])).statusCode).to.equal(200);
  });
});
