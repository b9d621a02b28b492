// Lambda entry of the users API: the table client built once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { modelFromBundle } from '../../policies/runtime-model';
import { createUsersHandler } from './handler';
import { createRoleGuard, rolesThatManageRoles } from './role-guard';
import { createUserStore } from './user-store';

const list = (value: string | undefined, separator: string): string[] =>
  (value ?? '').split(separator).filter((item) => item !== '');

/** Replaced by esbuild (`define`) with the packed scopes.yaml. */
declare const __SCOPEGATE_MODEL__: string | undefined;

const tableName = process.env.SCOPEGATE_TABLE ?? '';
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
// Without the model no role counts as managing roles, and nothing is refused: the bundle always carries it.
const managerRoles =
  typeof __SCOPEGATE_MODEL__ === 'undefined'
    ? []
    : rolesThatManageRoles(modelFromBundle(__SCOPEGATE_MODEL__));
const users = createUsersHandler({
  store: createUserStore(documents, tableName),
  roleGuard: createRoleGuard(documents, tableName, managerRoles),
  knownRoles: list(process.env.SCOPEGATE_ROLES, ' '),
  corsOrigins: list(process.env.SCOPEGATE_CORS_ORIGINS, ','),
});

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => users.handle(event);
