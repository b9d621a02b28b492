import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  refreshKey,
  revokedTokenKey,
  sessionKey,
  userIndexKey,
  userKey,
  usernameKey,
} from '../../../functions/lib/token-table';
import { createUserStore, decodeCursor, type UserStore } from '../../../functions/users/user-store';
import { createTable, startLocalDynamo, type LocalDynamo } from '../../../local/dynamodb';

const TABLE = 'scopegate-user-store-test';
const USER_COUNT = 25;
const names = Array.from({ length: USER_COUNT }, (_, i) => `user-${String(i).padStart(2, '0')}`);

describe('createUserStore', () => {
  let dynamo: LocalDynamo;
  let store: UserStore;

  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, TABLE);
    const put = (Item: Record<string, unknown>) =>
      dynamo.documents.send(new PutCommand({ TableName: TABLE, Item }));
    // Users written in an order unrelated to their names, between many items that are not users.
    for (const [i, name] of [...names].reverse().entries()) {
      const sub = `sub-${(i * 7919) % 1000}`;
      await put({
        ...userKey(sub),
        ...userIndexKey(name),
        sub,
        passwordHash: 'x',
        roles: ['User'],
        createdAt: i,
      });
      await put({ ...usernameKey(name), sub });
      await put({ ...sessionKey(`s${i}`), sub });
      await put({ ...refreshKey(`hash${i}`), sid: `s${i}`, generation: 0, expiresAt: 9e9 });
      await put({ ...revokedTokenKey(`jti${i}`), jti: `jti${i}`, expiresAt: 9e9 });
    }
    store = createUserStore(dynamo.documents, TABLE);
  });
  after(() => dynamo.close());

  async function allPages(limit: number): Promise<{ sizes: number[]; names: string[]; cursors: string[] }> {
    const sizes: number[] = [];
    const seen: string[] = [];
    const cursors: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list(limit, cursor);
      sizes.push(page.users.length);
      seen.push(...page.users.map((user) => user.username));
      cursor = page.cursor;
      if (cursor !== undefined) cursors.push(cursor);
    } while (cursor !== undefined && sizes.length <= USER_COUNT);
    return { sizes, names: seen, cursors };
  }

  it('lists every user once, in name order, in full pages, for every page size', async () => {
    for (const limit of [1, 2, 3, 5, 24, 25, 26, 100]) {
      const { sizes, names: seen } = await allPages(limit);
      expect(seen, `limit ${limit}`).to.deep.equal(names);
      const full = Math.floor(USER_COUNT / limit);
      const rest = USER_COUNT % limit;
      expect(sizes, `limit ${limit}`).to.deep.equal([
        ...Array<number>(full).fill(limit),
        ...(rest > 0 ? [rest] : []),
      ]);
    }
  });

  it('gives the default page size a cursor when more users exist', async () => {
    const page = await store.list(20);
    expect(page.users).to.have.length(20);
    expect(page.cursor).to.be.a('string');
    const next = await store.list(20, page.cursor);
    expect(next.users.map((user) => user.username)).to.deep.equal(names.slice(20));
    expect(next.cursor).to.equal(undefined);
  });

  it('keeps table keys out of its cursors: they name only the last user shown', async () => {
    const { cursors } = await allPages(4);
    for (const cursor of cursors) {
      const decoded = decodeCursor(cursor)!;
      expect(Object.keys(decoded)).to.deep.equal(['sub', 'username']);
      expect(Buffer.from(cursor, 'base64url').toString()).not.to.match(/USER#|SESSION|REFRESH|REVOKED|pk|sk/);
    }
  });

  it('pages any set of users fully, in order, never with an empty page while more exist', async function () {
    this.timeout(60_000);
    let table = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9._@+-]{3,12}$/), { maxLength: 25 }),
        fc.integer({ min: 1, max: 8 }),
        async (userNames, limit) => {
          const name = `paging-${(table += 1)}`;
          await createTable(dynamo.client, name);
          for (const [i, username] of userNames.entries()) {
            const sub = `sub-${i}`;
            await dynamo.documents.send(
              new PutCommand({ TableName: name, Item: { ...userKey(sub), ...userIndexKey(username), sub } }),
            );
            await dynamo.documents.send(
              new PutCommand({ TableName: name, Item: { ...sessionKey(`s${i}`), sub } }),
            );
          }
          const pages = createUserStore(dynamo.documents, name);
          const seen: string[] = [];
          let cursor: string | undefined;
          let count = 0;
          do {
            const page = await pages.list(limit, cursor);
            count += 1;
            expect(page.users.length).to.equal(Math.min(limit, userNames.length - seen.length));
            if (userNames.length > 0) expect(page.users.length).to.be.greaterThan(0);
            seen.push(...page.users.map((user) => user.username));
            cursor = page.cursor;
          } while (cursor !== undefined && count <= userNames.length);
          expect(seen).to.deep.equal([...userNames].sort());
        },
      ),
      { numRuns: 20 },
    );
  });

  it('reads a malformed cursor as undefined', () => {
    for (const cursor of [
      '!!',
      'e30',
      Buffer.from('["a"]').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
    ]) {
      expect(decodeCursor(cursor), cursor).to.equal(undefined);
    }
  });
});
