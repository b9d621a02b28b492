import { CreateTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTable, localClients } from '../../local/dynamodb';

/** dynalite as a slow DynamoDB: a new table stays CREATING (and unusable) for a while, as in AWS. */
async function slowDynalite(createTableMs: number): Promise<{ server: Server; endpoint: string }> {
  const server = dynalite({ createTableMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('createTable', () => {
  let server: Server;
  let clients: ReturnType<typeof localClients>;
  beforeEach(async () => {
    const started = await slowDynalite(150);
    server = started.server;
    clients = localClients(started.endpoint);
  });
  afterEach(async () => {
    clients.client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('resolves only once the table is usable', async () => {
    await createTable(clients.client, 'ready');
    await clients.documents.send(new PutCommand({ TableName: 'ready', Item: { pk: 'a', sk: 'b' } }));
    const { Item } = await clients.documents.send(
      new GetCommand({ TableName: 'ready', Key: { pk: 'a', sk: 'b' } }),
    );
    expect(Item).to.deep.equal({ pk: 'a', sk: 'b' });
  });

  it('waits for a table another start is still creating', async () => {
    // Two starts at once: one creates the table, the other finds it CREATING and must wait too.
    await Promise.all([createTable(clients.client, 'shared'), createTable(clients.client, 'shared')]);
    await clients.documents.send(new PutCommand({ TableName: 'shared', Item: { pk: 'a', sk: 'b' } }));
  });

  it('is needed: a table just created refuses items until it is ACTIVE', async () => {
    await clients.client.send(
      new CreateTableCommand({
        TableName: 'raw',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const error = await clients.documents.send(new GetCommand({ TableName: 'raw', Key: { pk: 'a' } })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ResourceNotFoundException);
  });

  it('refuses a table without the user index, naming both', async () => {
    await clients.client.send(
      new CreateTableCommand({
        TableName: 'old',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    const error = await createTable(clients.client, 'old').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal(
      'table old has no index "users" (it predates it): start with a new --data folder',
    );
  });
});
