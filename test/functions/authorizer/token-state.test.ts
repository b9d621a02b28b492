import { expect } from 'chai';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { checkTokenState } from '../../../functions/authorizer/token-state';
import { DependencyError } from '../../../functions/authorizer/errors';
import { revokedTokenKey, sessionKey, userKey } from '../../../functions/lib/token-table';
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

  const check = (claims: { sub: string; jti?: string; sid?: string }) =>
    checkTokenState(dynamo.documents, TABLE, claims, NOW);

  it('accepts a live user token with one BatchGetItem', async () => {
    expect(await check({ sub: 'alice', jti: 'j-1', sid: 's-live' })).to.equal('OK');
    expect(requests).to.deep.equal(['BatchGetItemCommand']);
  });

  it('accepts a client token (no sid) by its jti alone', async () => {
    expect(await check({ sub: 'client-1', jti: 'j-1' })).to.equal('OK');
    expect(requests).to.deep.equal(['BatchGetItemCommand']);
  });

  it('refuses a revoked jti, but not one whose revocation item is past its expiry', async () => {
    expect(await check({ sub: 'alice', jti: 'j-revoked', sid: 's-live' })).to.equal('TOKEN_REVOKED');
    expect(await check({ sub: 'client-1', jti: 'j-revoked' })).to.equal('TOKEN_REVOKED');
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
      const error: unknown = await checkTokenState(documents, TABLE, { sub: 'alice', jti: 'j-1' }, NOW).catch(
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
      { sub: 'a', jti: 'j' },
      NOW,
    ).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(DependencyError);
  });
});
