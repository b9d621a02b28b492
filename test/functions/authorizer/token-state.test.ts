import { expect } from 'chai';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { checkTokenState } from '../../../functions/authorizer/token-state';
import { DependencyError } from '../../../functions/authorizer/errors';
import { clientKey, revokedTokenKey, sessionKey, userKey } from '../../../functions/lib/token-table';
import { createTable, localClients, startLocalDynamo } from '../../../local/dynamodb';
import type { LocalDynamo } from '../../../local/dynamodb';
import { closedPort } from './support';

const TABLE = 'scopegate-state-test';
const NOW = 1_800_000_000;

describe('checkTokenState', () => {
  let dynamo: LocalDynamo;
  let requests: string[] = [];

  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, TABLE);
    dynamo.client.middlewareStack.add(
      (next, context) => (args) => {
        requests.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const put = (item: Record<string, unknown>) =>
      dynamo.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
    await Promise.all([
      put({ ...userKey('alice'), sub: 'alice', roles: ['User'], createdAt: 1 }),
      put({ ...clientKey('web'), clientId: 'web', grantTypes: ['password'], roles: [], createdAt: 1 }),
      put({ ...clientKey('svc'), clientId: 'svc', grantTypes: [], roles: ['Admin'], createdAt: 1 }),
      put({
        ...clientKey('off'),
        clientId: 'off',
        grantTypes: [],
        roles: ['Admin'],
        disabled: true,
        createdAt: 1,
      }),
      put({ ...userKey('bob'), sub: 'bob', disabled: true, createdAt: 1 }),
      put({ ...sessionKey('s-live'), sid: 's-live', sub: 'alice', expiresAt: NOW + 3600 }),
      put({
        ...sessionKey('s-revoked'),
        sid: 's-revoked',
        sub: 'alice',
        revoked: true,
        expiresAt: NOW + 3600,
      }),
      put({ ...sessionKey('s-expired'), sid: 's-expired', sub: 'alice', expiresAt: NOW - 1 }),
      put({ ...sessionKey('s-bob'), sid: 's-bob', sub: 'bob', expiresAt: NOW + 3600 }),
      put({ ...revokedTokenKey('j-revoked'), jti: 'j-revoked', expiresAt: NOW + 60 }),
      put({ ...revokedTokenKey('j-lapsed'), jti: 'j-lapsed', expiresAt: NOW }),
    ]);
  });

  after(() => dynamo.close());
  beforeEach(() => {
    requests = [];
  });

  /** The verdict for a token of client `web` (user tokens) unless `client_id` says otherwise. */
  const check = async (claims: { sub: string; jti?: string; sid?: string; client_id?: string }) =>
    (await checkTokenState(dynamo.documents, TABLE, { client_id: 'web', ...claims }, NOW)).verdict;

  it('accepts a live user token with one BatchGetItem, with the roles the user holds today', async () => {
    const claims = { sub: 'alice', jti: 'j-1', sid: 's-live', client_id: 'web' };
    expect(await checkTokenState(dynamo.documents, TABLE, claims, NOW)).to.deep.equal({
      verdict: 'OK',
      heldRoles: ['User'],
    });
    expect(requests).to.deep.equal(['BatchGetItemCommand']);
  });

  it('accepts a client token (no sid) of a live client, with the roles the client holds today', async () => {
    const claims = { sub: 'svc', jti: 'j-1', client_id: 'svc' };
    expect(await checkTokenState(dynamo.documents, TABLE, claims, NOW)).to.deep.equal({
      verdict: 'OK',
      heldRoles: ['Admin'],
    });
    expect(requests).to.deep.equal(['BatchGetItemCommand']);
  });

  it('refuses every token of a disabled or absent client, user tokens included', async () => {
    expect(await check({ sub: 'off', jti: 'j-1', client_id: 'off' })).to.equal('CLIENT_DISABLED');
    expect(await check({ sub: 'alice', jti: 'j-1', sid: 's-live', client_id: 'off' })).to.equal(
      'CLIENT_DISABLED',
    );
    expect(await check({ sub: 'gone', jti: 'j-1', client_id: 'gone' })).to.equal('CLIENT_DISABLED');
  });

  it('refuses a token without client_id, and a session-less token whose subject is not its client', async () => {
    const claims = { sub: 'alice', jti: 'j-1', sid: 's-live' };
    expect(await checkTokenState(dynamo.documents, TABLE, claims, NOW)).to.deep.equal({
      verdict: 'MISSING_CLIENT',
    });
    expect(requests).to.deep.equal([]);
    expect(await check({ sub: 'alice', jti: 'j-1', client_id: 'svc' })).to.equal('MISSING_SESSION');
  });

  it('refuses a revoked jti, but not one whose revocation item is past its expiry', async () => {
    expect(await check({ sub: 'alice', jti: 'j-revoked', sid: 's-live' })).to.equal('TOKEN_REVOKED');
    expect(await check({ sub: 'svc', jti: 'j-revoked', client_id: 'svc' })).to.equal('TOKEN_REVOKED');
    expect(await check({ sub: 'alice', jti: 'j-lapsed', sid: 's-live' })).to.equal('OK');
  });

  it('refuses a revoked, expired, unknown or foreign session', async () => {
    expect(await check({ sub: 'alice', jti: 'j-1', sid: 's-revoked' })).to.equal('SESSION_REVOKED');
    expect(await check({ sub: 'alice', jti: 'j-1', sid: 's-expired' })).to.equal('SESSION_REVOKED');
    expect(await check({ sub: 'alice', jti: 'j-1', sid: 's-unknown' })).to.equal('SESSION_REVOKED');
    expect(await check({ sub: 'alice', jti: 'j-1', sid: 's-bob' })).to.equal('SESSION_REVOKED');
  });

  it('refuses a disabled or absent user', async () => {
    expect(await check({ sub: 'bob', jti: 'j-1', sid: 's-bob' })).to.equal('USER_DISABLED');
    await dynamo.documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...sessionKey('s-ghost'), sub: 'ghost', expiresAt: NOW + 60 },
      }),
    );
    expect(await check({ sub: 'ghost', jti: 'j-1', sid: 's-ghost' })).to.equal('USER_DISABLED');
  });

  it('refuses a token without jti without reading the table', async () => {
    expect(await check({ sub: 'alice', sid: 's-live' })).to.equal('MISSING_JTI');
    expect(requests).to.deep.equal([]);
  });

  it('throws a DependencyError when DynamoDB is unreachable', async () => {
    const { client, documents } = localClients(`http://127.0.0.1:${await closedPort()}`);
    try {
      const claims = { sub: 'svc', jti: 'j-1', client_id: 'svc' };
      const error: unknown = await checkTokenState(documents, TABLE, claims, NOW).catch(
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(DependencyError).with.property('code', 'STATE_UNAVAILABLE');
    } finally {
      client.destroy();
    }
  });

  it('throws a DependencyError when the table does not exist', async () => {
    const error: unknown = await checkTokenState(
      dynamo.documents,
      'missing',
      { sub: 'a', jti: 'j', client_id: 'a' },
      NOW,
    ).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(DependencyError);
  });
});
