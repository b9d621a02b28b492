// A ready authorizer for tests: the repository's scopes.yaml, real keys, dynalite with users and sessions.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { compileScopes } from '../../../policies/index';
import type { CompiledModel } from '../../../policies/model';
import type { AuthorizerOptions, IssuerConfig } from '../../../functions/authorizer/authorizer';
import { createAuthorizer } from '../../../functions/authorizer/authorizer';
import { createJsonLogger } from '../../../functions/authorizer/logger';
import { clientKey, revokedTokenKey, sessionKey, userKey } from '../../../functions/lib/token-table';
import { createTable, startLocalDynamo } from '../../../local/dynamodb';
import type { LocalDynamo } from '../../../local/dynamodb';
import type { SigningKey } from './support';
import { AUDIENCE, ISSUER, jwksOf, logSink, makeKey, NOW_S } from './support';

export const TABLE = 'scopegate-authorizer-test';
export const ARN_PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/prod/';

/** The repository's scopes.yaml, and a model (a fixture) where some routes need the per-route authorizer. */
export const REPO_SCOPES = join(__dirname, '../../../scopes.yaml');
export const PER_ROUTE_SCOPES = join(__dirname, '../../fixtures/authorizer/scopes-per-route.yaml');

export function loadModel(file = REPO_SCOPES): CompiledModel {
  return compileScopes(readFileSync(file, 'utf8'), basename(file));
}

const tokenFixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/authorizer/token-event.json'), 'utf8'),
) as APIGatewayTokenAuthorizerEvent;
const requestFixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/authorizer/request-event.json'), 'utf8'),
) as APIGatewayRequestAuthorizerEvent;

export function methodArn(method: string, path: string): string {
  return `${ARN_PREFIX}${method}${path}`;
}

/** A TOKEN event as API Gateway sends it, from the JSON fixture. */
export function tokenEvent(
  authorization: string,
  method = 'GET',
  path = '/messages',
): APIGatewayTokenAuthorizerEvent {
  return { ...tokenFixture, authorizationToken: authorization, methodArn: methodArn(method, path) };
}

/** A REQUEST event as API Gateway sends it, from the JSON fixture; `headers` replace the Authorization header. */
export function requestEvent(
  headers: Record<string, string>,
  method: string,
  template: string,
  path: string,
): APIGatewayRequestAuthorizerEvent {
  const base = structuredClone(requestFixture);
  const otherHeaders = { ...base.headers };
  const otherMulti = { ...base.multiValueHeaders };
  delete otherHeaders.Authorization;
  delete otherMulti.Authorization;
  const multi = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  return {
    ...base,
    methodArn: methodArn(method, path),
    resource: template,
    path,
    httpMethod: method,
    headers: { ...otherHeaders, ...headers },
    multiValueHeaders: { ...otherMulti, ...multi },
    requestContext: {
      ...base.requestContext,
      resourcePath: template,
      httpMethod: method,
      path: `/prod${path}`,
    },
  };
}

export interface Harness {
  model: CompiledModel;
  perRoute: CompiledModel;
  dynamo: LocalDynamo;
  ed: SigningKey;
  es: SigningKey;
  builtIn: IssuerConfig;
  logs: ReturnType<typeof logSink>;
  /** Table requests seen by the SDK client, by command name. */
  requests: string[];
  make(overrides?: Partial<AuthorizerOptions>): ReturnType<typeof createAuthorizer>;
  put(item: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Users `user-1` (User), `admin-1` (Admin), `off-1` (disabled), `owner-1` (Owner, of the per-route model), their live sessions, revoked jti `jti-revoked`,
 * the public client `web`, the confidential client `svc-1` (Admin) and the disabled client `svc-off`.
 */
export async function startHarness(): Promise<Harness> {
  const [model, dynamo, ed, es] = await Promise.all([
    Promise.resolve(loadModel()),
    startLocalDynamo(),
    makeKey('EdDSA', 'ed-1'),
    makeKey('ES256', 'es-1'),
  ]);
  await createTable(dynamo.client, TABLE);
  const requests: string[] = [];
  dynamo.client.middlewareStack.add(
    (next, context) => (args) => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  const put = async (item: Record<string, unknown>) => {
    await dynamo.documents.send(new PutCommand({ TableName: TABLE, Item: item }));
  };
  const users: [string, string[], boolean][] = [
    ['user-1', ['User'], false],
    ['admin-1', ['Admin'], false],
    ['off-1', ['User'], true],
    ['owner-1', ['Owner'], false],
  ];
  for (const [sub, roles, disabled] of users) {
    await put({ ...userKey(sub), sub, roles, disabled, createdAt: 1 });
    await put({ ...sessionKey(`sid-${sub}`), sid: `sid-${sub}`, sub, expiresAt: NOW_S + 86_400 });
  }
  await put({
    ...sessionKey('sid-revoked'),
    sid: 'sid-revoked',
    sub: 'user-1',
    revoked: true,
    expiresAt: NOW_S + 60,
  });
  await put({ ...revokedTokenKey('jti-revoked'), jti: 'jti-revoked', expiresAt: NOW_S + 600 });
  const clients: [string, string[], boolean][] = [
    ['web', [], false],
    ['svc-1', ['Admin'], false],
    ['svc-off', ['Admin'], true],
  ];
  for (const [clientId, roles, disabled] of clients) {
    await put({ ...clientKey(clientId), clientId, grantTypes: [], roles, disabled, createdAt: 1 });
  }

  const builtIn: IssuerConfig = {
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: jwksOf(ed, es),
    algorithms: ['EdDSA', 'ES256'],
    typ: 'at+jwt',
    checkState: true,
  };
  const logs = logSink();
  return {
    model,
    perRoute: loadModel(PER_ROUTE_SCOPES),
    dynamo,
    ed,
    es,
    builtIn,
    logs,
    requests,
    put,
    make: (overrides = {}) =>
      createAuthorizer({
        model,
        issuers: [builtIn],
        tableName: TABLE,
        documents: dynamo.documents,
        now: () => NOW_S * 1000,
        logger: createJsonLogger(logs.sink),
        ...overrides,
      }),
    close: () => dynamo.close(),
  };
}
