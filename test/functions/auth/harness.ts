// A ready token service for tests: the repository's scope model, real keys, dynalite on loopback, a log sink.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { JWK } from 'jose';
import { exportJWK, generateKeyPair } from 'jose';
import type { AuthLogger } from '../../../functions/auth/context';
import { hashClientSecret, putClient } from '../../../functions/auth/clients';
import type { TokenService, TokenServiceOptions } from '../../../functions/auth/token-service';
import { createTokenService } from '../../../functions/auth/token-service';
import { compileScopes } from '../../../policies/index';
import type { CompiledModel } from '../../../policies/model';
import { clientKey } from '../../../functions/lib/token-table';
import { createTable, startLocalDynamo } from '../../../local/dynamodb';
import type { LocalDynamo } from '../../../local/dynamodb';

export const ISSUER = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod';
export const AUDIENCE = 'scopegate-api';
/** 2026-01-15T00:00:00Z */
export const START_MS = 1_768_435_200_000;
/** Cheap scrypt for most tests; one test uses the real OWASP cost. */
export const FAST_SCRYPT = { logN: 10, r: 8, p: 1 };
export const BACKEND_SECRET = 'b4ckend-s3cret-only-for-tests-0000000000000';
export const PASSWORD = 'correct-horse-battery';
/** A public client of the authorization code flow. */
export const SPA_CLIENT = 'browser-app';
export const SPA_REDIRECT = 'https://app.example.com/callback';

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/auth/token-request.json'), 'utf8'),
) as APIGatewayProxyEvent;

export function loadModel(): CompiledModel {
  return compileScopes(readFileSync(join(__dirname, '../../../scopes.yaml'), 'utf8'), 'scopes.yaml');
}

export async function makePrivateKey(alg: 'EdDSA' | 'ES256' | 'RS256', kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  });
  return { ...(await exportJWK(privateKey)), kid };
}

export interface EventOptions {
  contentType?: string | null;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
  method?: string;
}

/** An API Gateway (REST) proxy event from the JSON fixture. */
export function event(path: string, body: string | null, options: EventOptions = {}): APIGatewayProxyEvent {
  const base = structuredClone(fixture);
  const headers = { ...base.headers } as Record<string, string>;
  delete headers['content-type'];
  if (options.contentType !== null)
    headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  Object.assign(headers, options.headers ?? {});
  const method = options.method ?? 'POST';
  return {
    ...base,
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: { ...base.requestContext, resourcePath: path, httpMethod: method, path: `/prod${path}` },
  };
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
export const json = (response: APIGatewayProxyResult): Record<string, unknown> =>
  JSON.parse(response.body) as Record<string, unknown>;

export interface Harness {
  model: CompiledModel;
  dynamo: LocalDynamo;
  table: string;
  keys: JWK[];
  service: TokenService;
  /** Every log line the service wrote, as JSON. */
  logs: string[];
  clock: { ms: number };
  make(overrides?: Partial<TokenServiceOptions>): TokenService;
  handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
  token(fields: Record<string, string>, options?: EventOptions): Promise<APIGatewayProxyResult>;
  revoke(fields: Record<string, string>, options?: EventOptions): Promise<APIGatewayProxyResult>;
  signUp(username: string, password?: string): Promise<APIGatewayProxyResult>;
  login(username: string, password?: string, scope?: string): Promise<Record<string, unknown>>;
  /** Every item of the table (to prove that nothing was written). */
  items(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let tables = 0;

export async function startHarness(): Promise<Harness> {
  const model = loadModel();
  const dynamo = await startLocalDynamo();
  const table = `scopegate-auth-test-${++tables}`;
  await createTable(dynamo.client, table);
  const db = { documents: dynamo.documents, tableName: table };
  await putClient(db, {
    ...clientKey('web'),
    clientId: 'web',
    grantTypes: ['password', 'refresh_token'],
    roles: [],
    createdAt: 0,
  });
  await putClient(db, {
    ...clientKey(SPA_CLIENT),
    clientId: SPA_CLIENT,
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [SPA_REDIRECT, 'http://127.0.0.1/callback'],
    roles: [],
    createdAt: 0,
  });
  await putClient(db, {
    ...clientKey('backend'),
    clientId: 'backend',
    secretHash: hashClientSecret(BACKEND_SECRET),
    grantTypes: ['client_credentials'],
    roles: ['Admin'],
    createdAt: 0,
  });
  const keys = [
    await makePrivateKey('EdDSA', 'ed-2026'),
    await makePrivateKey('ES256', 'es-2025'),
    await makePrivateKey('RS256', 'rsa-2026'),
  ];
  const logs: string[] = [];
  const logger: AuthLogger = {
    info: (message, attributes) => logs.push(JSON.stringify({ level: 'INFO', message, ...attributes })),
    warn: (message, attributes) => logs.push(JSON.stringify({ level: 'WARN', message, ...attributes })),
    error: (message, attributes) => logs.push(JSON.stringify({ level: 'ERROR', message, ...attributes })),
  };
  const clock = { ms: START_MS };
  const make = (overrides: Partial<TokenServiceOptions> = {}): TokenService =>
    createTokenService({
      tableName: table,
      documents: dynamo.documents,
      issuer: ISSUER,
      audience: AUDIENCE,
      signingKeys: keys,
      roles: model.roles.map((role) => role.name),
      roleInherits: Object.fromEntries(model.roles.map((role) => [role.name, role.inherits])),
      passwordParams: FAST_SCRYPT,
      now: () => clock.ms,
      logger,
      ...overrides,
    });
  const service = make();
  await service.ready();
  const handle = (e: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => service.handle(e);
  const harness: Harness = {
    model,
    dynamo,
    table,
    keys,
    service,
    logs,
    clock,
    make,
    handle,
    token: (fields, options) => handle(event('/auth/token', form(fields), options)),
    revoke: (fields, options) => handle(event('/auth/revoke', form(fields), options)),
    signUp: (username, password = PASSWORD) => handle(event('/auth/signup', form({ username, password }))),
    async login(username, password = PASSWORD, scope) {
      const response = await harness.token({
        grant_type: 'password',
        client_id: 'web',
        username,
        password,
        ...(scope === undefined ? {} : { scope }),
      });
      if (response.statusCode !== 200)
        throw new Error(`login failed: ${response.statusCode} ${response.body}`);
      return json(response);
    },
    async items() {
      const { Items = [] } = await dynamo.documents.send(
        new ScanCommand({ TableName: table, ConsistentRead: true }),
      );
      return Items;
    },
    close: () => dynamo.close(),
  };
  return harness;
}
