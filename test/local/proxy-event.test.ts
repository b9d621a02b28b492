import { expect } from 'chai';
import { LOCAL_API } from '../../local/method-arn';
import { buildProxyEvent, buildRequestAuthorizerEvent, type IncomingParts } from '../../local/proxy-event';

const request: IncomingParts = {
  method: 'GET',
  path: '/users/a%20b',
  query: 'tag=x&tag=y&q=hello%20world',
  rawHeaders: ['Host', '127.0.0.1', 'X-Tag', '1', 'X-Tag', '2', 'User-Agent', 'test'],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
};
const matched = {
  resourcePath: '/users/{userId}',
  pathParameters: { userId: 'a b' },
  requestId: 'req-1',
  requestTime: Date.UTC(2026, 0, 1),
};

describe('buildProxyEvent', () => {
  it('shapes the request as a REST proxy integration event', () => {
    const event = buildProxyEvent(LOCAL_API, request, matched, { principalId: 'u1', sub: 'u1' });
    expect(event).to.deep.include({
      resource: '/users/{userId}',
      path: '/users/a%20b',
      httpMethod: 'GET',
      pathParameters: { userId: 'a b' },
      queryStringParameters: { tag: 'y', q: 'hello world' },
      multiValueQueryStringParameters: { tag: ['x', 'y'], q: ['hello world'] },
      body: null,
      isBase64Encoded: false,
      stageVariables: null,
    });
    expect(event.headers).to.deep.equal({ Host: '127.0.0.1', 'X-Tag': '2', 'User-Agent': 'test' });
    expect(event.multiValueHeaders['X-Tag']).to.deep.equal(['1', '2']);
    expect(event.requestContext).to.deep.include({
      authorizer: { principalId: 'u1', sub: 'u1' },
      resourcePath: '/users/{userId}',
      path: '/local/users/a%20b',
      stage: 'local',
      requestId: 'req-1',
      requestTimeEpoch: Date.UTC(2026, 0, 1),
      requestTime: '01/Jan/2026:00:00:00 +0000',
      httpMethod: 'GET',
    });
    expect(event.requestContext.identity).to.deep.include({ sourceIp: '127.0.0.1', userAgent: 'test' });
  });

  it('sends nulls for absent query and path parameters, and the body as text', () => {
    const event = buildProxyEvent(
      LOCAL_API,
      { ...request, path: '/messages', query: '', body: Buffer.from('{"text":"hé"}') },
      { ...matched, resourcePath: '/messages', pathParameters: {} },
      undefined,
    );
    expect(event).to.deep.include({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      body: '{"text":"hé"}',
    });
    expect(event.requestContext.authorizer).to.equal(null);
  });
});

describe('buildRequestAuthorizerEvent', () => {
  it('carries the method ARN, the route and the request parts', () => {
    const arn = 'arn:aws:execute-api:local:000000000000:local/local/GET/users/a%20b';
    const event = buildRequestAuthorizerEvent(LOCAL_API, request, matched, arn);
    expect(event).to.deep.include({
      type: 'REQUEST',
      methodArn: arn,
      resource: '/users/{userId}',
      path: '/users/a%20b',
      httpMethod: 'GET',
      pathParameters: { userId: 'a b' },
      queryStringParameters: { tag: 'y', q: 'hello world' },
    });
    expect(event.requestContext.resourcePath).to.equal('/users/{userId}');
  });
});
