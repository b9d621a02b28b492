import { expect } from 'chai';
import { createMessagesHandler } from '../../../functions/messages/handler';
import { createMessageStore } from '../../../functions/messages/message-store';
import { createTable, startLocalDynamo, type LocalDynamo } from '../../../local/dynamodb';
import { proxyEvent } from '../lib/events';

const TABLE = 'scopegate-messages-test';
const parse = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;

describe('createMessagesHandler', () => {
  let dynamo: LocalDynamo;
  let clock = Date.UTC(2026, 0, 15);
  let messages: ReturnType<typeof createMessagesHandler>;

  before(async () => {
    dynamo = await startLocalDynamo();
    await createTable(dynamo.client, TABLE);
    const store = createMessageStore(dynamo.documents, TABLE, () => (clock += 1000));
    messages = createMessagesHandler({ store, corsOrigins: ['https://app.example.com'] });
  });
  after(() => dynamo.close());

  const post = (text: unknown, sub = 'user-1') =>
    messages.handle(
      proxyEvent({ method: 'POST', resource: '/messages', body: { text }, caller: { sub, roles: 'User' } }),
    );

  it('posts a message as the caller and lists the newest first', async () => {
    const first = await post('hello');
    const second = await post('again', 'user-2');
    expect(first.statusCode).to.equal(201);
    expect(parse(first.body)).to.include({ text: 'hello', authorSub: 'user-1' });
    const list = await messages.handle(proxyEvent({ method: 'GET', resource: '/messages' }));
    expect(list.statusCode).to.equal(200);
    const listed = parse(list.body).messages as { text: string }[];
    expect(listed.slice(0, 2).map((m) => m.text)).to.deep.equal(['again', 'hello']);
    expect(parse(second.body).messageId).to.match(/^[0-9a-z]{10}-[0-9a-f]{12}$/);
  });

  it('pages with a cursor', async () => {
    for (const text of ['p1', 'p2', 'p3']) await post(text);
    const page = await messages.handle(
      proxyEvent({ method: 'GET', resource: '/messages', query: { limit: '2' } }),
    );
    const { messages: firstPage, cursor } = parse(page.body) as {
      messages: { text: string }[];
      cursor: string;
    };
    expect(firstPage.map((m) => m.text)).to.deep.equal(['p3', 'p2']);
    const next = await messages.handle(
      proxyEvent({ method: 'GET', resource: '/messages', query: { limit: '2', cursor } }),
    );
    expect((parse(next.body).messages as { text: string }[]).map((m) => m.text)).to.deep.equal([
      'p1',
      'again',
    ]);
  });

  it('deletes a message once, then answers 404', async () => {
    const { messageId } = parse((await post('to delete')).body) as { messageId: string };
    const remove = () =>
      messages.handle(
        proxyEvent({
          method: 'DELETE',
          resource: '/messages/{messageId}',
          path: `/messages/${messageId}`,
          pathParameters: { messageId },
          caller: { sub: 'admin-1', roles: 'Admin User' },
        }),
      );
    expect((await remove()).statusCode).to.equal(204);
    const again = await remove();
    expect(again.statusCode).to.equal(404);
    expect(parse(again.body)).to.deep.equal({ error: 'no such message' });
  });

  it('answers 400 with a JSON error for bad input', async () => {
    const cases = [
      [await post(''), 'text must be a non-empty string'],
      [await post('x'.repeat(1001)), 'text is longer than 1000 characters'],
      [
        await messages.handle(proxyEvent({ method: 'POST', resource: '/messages', body: '{not json' })),
        'the body is not JSON',
      ],
      [
        await messages.handle(proxyEvent({ method: 'GET', resource: '/messages', query: { limit: '0' } })),
        'limit must be an integer 1..100',
      ],
      [
        await messages.handle(
          proxyEvent({
            method: 'DELETE',
            resource: '/messages/{messageId}',
            pathParameters: { messageId: '../x' },
          }),
        ),
        'messageId is not a message id',
      ],
    ] as const;
    for (const [response, error] of cases) {
      expect(response.statusCode, error).to.equal(400);
      expect(parse(response.body)).to.deep.equal({ error });
    }
  });

  it('refuses a call without an authorizer context (fail closed)', async () => {
    const response = await messages.handle(
      proxyEvent({ method: 'GET', resource: '/messages', caller: null }),
    );
    expect(response.statusCode).to.equal(401);
  });

  it('allows a listed origin and no other', async () => {
    const listed = await messages.handle(
      proxyEvent({ method: 'GET', resource: '/messages', origin: 'https://app.example.com' }),
    );
    const other = await messages.handle(
      proxyEvent({ method: 'GET', resource: '/messages', origin: 'https://evil.test' }),
    );
    expect(listed.headers).to.include({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
    expect(other.headers).not.to.have.property('Access-Control-Allow-Origin');
  });

  it('answers 500 without details when the table is unreachable', async () => {
    const broken = createMessagesHandler({
      store: createMessageStore(dynamo.documents, 'no-such-table'),
      corsOrigins: ['*'],
    });
    const response = await broken.handle(proxyEvent({ method: 'GET', resource: '/messages' }));
    expect(response.statusCode).to.equal(500);
    expect(parse(response.body)).to.deep.equal({ error: 'internal error' });
  });
});
