import { expect } from 'chai';
import { HttpError, jsonBody, parseLimit, serveRoutes, type Caller } from '../../../functions/lib/http';
import { proxyEvent } from './events';

const parse = (body: string): unknown => JSON.parse(body);

describe('serveRoutes', () => {
  const seen: Caller[] = [];
  const handle = serveRoutes(
    {
      'GET /things': (_event, caller) => {
        seen.push(caller);
        return Promise.resolve({ statusCode: 200, body: { things: [] } });
      },
      'DELETE /things/{id}': () => Promise.reject(new Error('table secret-table is unreachable')),
    },
    ['https://app.example.com'],
  );

  it('hands the route the caller from the authorizer context', async () => {
    const response = await handle(proxyEvent({ method: 'GET', resource: '/things' }));
    expect(response.statusCode).to.equal(200);
    expect(parse(response.body)).to.deep.equal({ things: [] });
    expect(seen.at(-1)).to.deep.equal({ sub: 'user-1', roles: ['User'], clientId: 'web' });
  });

  it('answers 404 for a route not in the table, with the CORS headers', async () => {
    const response = await handle(
      proxyEvent({ method: 'POST', resource: '/things', origin: 'https://app.example.com' }),
    );
    expect(response.statusCode).to.equal(404);
    expect(parse(response.body)).to.deep.equal({ error: 'no route POST /things' });
    expect(response.headers).to.include({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
  });

  it('refuses a call without an authorizer context before any route runs', async () => {
    const before = seen.length;
    const response = await handle(proxyEvent({ method: 'GET', resource: '/things', caller: null }));
    expect(response.statusCode).to.equal(401);
    expect(seen).to.have.length(before);
  });

  it('answers 500 without the error message for anything but an HttpError', async () => {
    const response = await handle(proxyEvent({ method: 'DELETE', resource: '/things/{id}' }));
    expect(response.statusCode).to.equal(500);
    expect(response.body).to.equal('{"error":"internal error"}');
  });
});

describe('jsonBody', () => {
  it('reads a base64-encoded body', () => {
    const event = { ...proxyEvent({ method: 'POST', resource: '/things' }), isBase64Encoded: true };
    event.body = Buffer.from('{"text":"hi"}').toString('base64');
    expect(jsonBody(event)).to.deep.equal({ text: 'hi' });
  });

  it('refuses a missing body, an array and a string with a 400', () => {
    for (const body of [undefined, [1], 'just text']) {
      const event = proxyEvent({ method: 'POST', resource: '/things', body: JSON.stringify(body) });
      expect(() => jsonBody(event))
        .to.throw(HttpError)
        .with.property('statusCode', 400);
    }
  });
});

describe('parseLimit', () => {
  it('defaults to 20 and accepts 1 to 100', () => {
    expect(parseLimit(undefined)).to.equal(20);
    expect(parseLimit('1')).to.equal(1);
    expect(parseLimit('100')).to.equal(100);
  });

  it('refuses anything else with the bounds in the message', () => {
    for (const value of ['0', '101', '1e2', '-1', ' 5', '']) {
      expect(() => parseLimit(value), value).to.throw(HttpError, 'limit must be an integer 1..100');
    }
  });
});
