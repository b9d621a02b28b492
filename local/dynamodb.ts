// A DynamoDB API on loopback (dynalite) with the product's table, for `npm start` and the tests.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { USER_INDEX } from '../functions/lib/token-table';
import { makePrivateDir } from './private-dir';

export interface LocalDynamo {
  endpoint: string;
  /** The access key id requests must be signed with (dynalite checks nothing else, so it is the credential). */
  accessKeyId: string;
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  close(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Persist to this LevelDB folder instead of memory (created 0700, its files kept 0600). */
  dataDir?: string;
  /** The access key id to require; `random` makes an unguessable one. Default `local`. */
  accessKeyId?: string;
}

/** Fixed credentials: dynalite accepts any, and the SDK must not look for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Builds SDK clients for a DynamoDB endpoint on loopback. */
export function localClients(
  endpoint: string,
  accessKeyId = LOCAL_CREDENTIALS.accessKeyId,
): {
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
} {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { ...LOCAL_CREDENTIALS, accessKeyId },
    maxAttempts: 1,
  });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, documents };
}

/** `Credential=<access key id>/...` of a SigV4 Authorization header. */
function accessKeyOf(req: IncomingMessage): string | undefined {
  return /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

/**
 * dynalite answers any caller and any origin (`Access-Control-Allow-Origin: *`), so a web page that finds the
 * port could read password hashes. In front of it: requests from browsers (any `Origin`, any preflight) are
 * refused without CORS headers, dynalite's own CORS headers are dropped, and requests must carry the access key.
 */
function guard(server: Server, accessKeyId: string): void {
  const expected = Buffer.from(accessKeyId);
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const presented = Buffer.from(accessKeyOf(req) ?? '');
    const keyOk = presented.length === expected.length && timingSafeEqual(presented, expected);
    if (req.headers.origin !== undefined || req.method !== 'POST' || !keyOk) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException' }));
      return;
    }
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name, value) =>
      name.toLowerCase().startsWith('access-control-') ? res : setHeader(name, value);
    for (const handler of handlers) handler(req, res);
  });
}

/** Starts dynalite in this process on 127.0.0.1. */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const accessKeyId =
    options.accessKeyId === 'random'
      ? randomBytes(24).toString('base64url')
      : (options.accessKeyId ?? LOCAL_CREDENTIALS.accessKeyId);
  if (options.dataDir !== undefined) await makePrivateDir(options.dataDir);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.dataDir });
  guard(server, accessKeyId);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const { client, documents } = localClients(endpoint, accessKeyId);
  return {
    endpoint,
    accessKeyId,
    client,
    documents,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Creates the product's table as the Pulumi program declares it (string keys `pk`, `sk`, the sparse user index;
 * on-demand) and resolves once it is ACTIVE. TTL is not set: dynalite has no UpdateTimeToLive, and readers
 * ignore expired items anyway.
 */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: USER_INDEX.partitionKey, AttributeType: 'S' },
          { AttributeName: USER_INDEX.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: USER_INDEX.name,
            KeySchema: [
              { AttributeName: USER_INDEX.partitionKey, KeyType: 'HASH' },
              { AttributeName: USER_INDEX.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...USER_INDEX.projected] },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(client, tableName);
}

/**
 * dynalite answers CreateTable with the table CREATING and marks it ACTIVE on a timer; until then every item
 * call fails with ResourceNotFoundException, so nothing may use the table before this resolves.
 */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) {
      // dynalite cannot add an index to an existing table: a folder from before the user index needs replacing.
      if (!indexes.some((index) => index.IndexName === USER_INDEX.name)) {
        throw new Error(
          `table ${tableName} has no index "${USER_INDEX.name}" (it predates it): start with a new --data folder`,
        );
      }
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? 'missing'} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
