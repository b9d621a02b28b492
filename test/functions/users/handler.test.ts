import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { userIndexKey, userKey, type UserItem } from '../../../functions/lib/token-table';
import { createUsersHandler } from '../../../functions/users/handler';
import { createRoleGuard } from '../../../functions/users/role-guard';
import { createUserStore } from '../../../functions/users/user-store';
import { createTable, startLocalDynamo, type LocalDynamo } from '../../../local/dynamodb';
import { proxyEvent } from '../lib/events';

const TABLE = 'scopegate-users-test';
const ADMIN = { sub: 'admin-1', roles: 'Admin User' };
const parse = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;

describe('createUsersHandler', () => {
  let dynamo: LocalDynamo;
  let users: ReturnType<typeof createUsersHandler>;

  const user = (sub: string, username: string): UserItem => ({
    ...userKey(sub),
    ...userIndexKey(username),
    sub,
    passwordHash: 'scrypt$secret-hash',
    roles: ['User'],
    createdAt: 1_768_435_200,
  });

  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, TABLE);
    for (const item of [user('user-1', 'ada'), user('user-2', 'grace'), user('user-3', 'alan')]) {
      await dynamo.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
    }
    // Other items of the shared table are not users.
    await dynamo.documents.send(
      new PutCommand({ TableName: TABLE, Item: { pk: 'SESSION#s1', sk: 'SESSION', sub: 'user-1' } }),
    );
    users = createUsersHandler({
      store: createUserStore(dynamo.documents, TABLE),
      knownRoles: ['User', 'Admin'],
      corsOrigins: ['*'],
      roleGuard: createRoleGuard(dynamo.documents, TABLE, ['Admin']),
    });
  });
  after(() => dynamo.close());

  const getUser = (userId: string, caller = { sub: userId, roles: 'User' }) =>
    users.handle(
      proxyEvent({
        method: 'GET',
        resource: '/users/{userId}',
        path: `/users/${userId}`,
        pathParameters: { userId },
        caller,
      }),
    );
  const setRoles = (userId: string, body: unknown) =>
    users.handle(
      proxyEvent({
        method: 'PUT',
        resource: '/users/{userId}/roles',
        pathParameters: { userId },
        body,
        caller: ADMIN,
      }),
    );

  it('shows a profile without the password hash', async () => {
    const response = await getUser('user-1');
    expect(response.statusCode).to.equal(200);
    expect(parse(response.body)).to.deep.equal({
      sub: 'user-1',
      username: 'ada',
      roles: ['User'],
      disabled: false,
      createdAt: 1_768_435_200,
    });
    expect(response.body).not.to.contain('scrypt');
  });

  it('answers 404 for an unknown user', async () => {
    expect((await getUser('nobody')).statusCode).to.equal(404);
  });

  it('lists users page by page, and only users', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const response = await users.handle(
        proxyEvent({
          method: 'GET',
          resource: '/users',
          query: { limit: '2', ...(cursor === undefined ? {} : { cursor }) },
          caller: ADMIN,
        }),
      );
      const body = parse(response.body) as { users: { username: string }[]; cursor?: string };
      seen.push(...body.users.map((u) => u.username));
      cursor = body.cursor;
      if (cursor === undefined) break;
    }
    expect(seen.sort()).to.deep.equal(['ada', 'alan', 'grace']);
  });

  it('sets the roles of a user', async () => {
    const response = await setRoles('user-2', { roles: ['User', 'Admin'] });
    expect(response.statusCode).to.equal(200);
    expect(parse(response.body).roles).to.deep.equal(['User', 'Admin']);
    expect(parse((await getUser('user-2')).body).roles).to.deep.equal(['User', 'Admin']);
  });

  it('refuses roles scopes.yaml does not declare, and malformed ones', async () => {
    const cases = [
      [{ roles: ['Owner'] }, 'role "Owner" is not declared. Expected one of: User, Admin'],
      [{ roles: 'Admin' }, 'roles must be an array of strings'],
      [{ roles: ['User', 'User'] }, 'roles has a repeated entry'],
    ] as const;
    for (const [body, error] of cases) {
      const response = await setRoles('user-3', body);
      expect(response.statusCode, error).to.equal(400);
      expect(parse(response.body)).to.deep.equal({ error });
    }
    expect(parse((await getUser('user-3')).body).roles).to.deep.equal(['User']);
  });

  it('answers 404 when setting the roles of an unknown user, without creating it', async () => {
    expect((await setRoles('ghost', { roles: ['User'] })).statusCode).to.equal(404);
    expect((await getUser('ghost')).statusCode).to.equal(404);
  });

  it('answers 400 for a malformed user id or cursor', async () => {
    expect((await getUser('a/b')).statusCode).to.equal(400);
    const response = await users.handle(
      proxyEvent({ method: 'GET', resource: '/users', query: { cursor: '!!' }, caller: ADMIN }),
    );
    expect(response.statusCode).to.equal(400);
    expect(parse(response.body)).to.deep.equal({ error: 'cursor is malformed' });
  });
});
