// The users API: a user reads their own profile (the `{userId=sub}` grant), Admin lists users and sets roles.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError, jsonBody, parseLimit, serveRoutes } from '../lib/http';
import type { routes } from './routes';
import type { RoleGuard } from './role-guard';
import { decodeCursor, type UserStore } from './user-store';

const MAX_ROLES = 20;
const SUB = /^[A-Za-z0-9._:@|-]{1,128}$/;

export interface UsersHandlerOptions {
  store: UserStore;
  /** Role names scopes.yaml declares; a role outside this list is refused. */
  knownRoles: readonly string[];
  corsOrigins: readonly string[];
  /** Refuses taking the last enabled holder's role that manages roles (see role-guard.ts). */
  roleGuard: RoleGuard;
}

/** Serves GET /users, GET /users/{userId} and PUT /users/{userId}/roles; 400 with `{ error }` on bad input. */
export function createUsersHandler(options: UsersHandlerOptions): {
  handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
} {
  const { store } = options;
  const handle = serveRoutes<(typeof routes)[number]>(
    {
      'GET /users': async (event) => {
        const query = event.queryStringParameters ?? {};
        return {
          statusCode: 200,
          body: await store.list(parseLimit(query.limit), parseCursor(query.cursor)),
        };
      },
      'GET /users/{userId}': async (event) => {
        const user = await store.get(parseSub(event.pathParameters?.userId));
        if (user === undefined) throw new HttpError(404, 'no such user');
        return { statusCode: 200, body: user };
      },
      'PUT /users/{userId}/roles': async (event) => {
        const sub = parseSub(event.pathParameters?.userId);
        const roles = parseRoles(jsonBody(event).roles, options.knownRoles);
        const current = await store.get(sub);
        if (current === undefined) throw new HttpError(404, 'no such user');
        const user = await options.roleGuard.guard(sub, current.roles, roles, () =>
          store.setRoles(sub, roles),
        );
        if (user === 'last-manager') {
          throw new HttpError(409, 'this would leave no enabled user who may manage roles');
        }
        if (user === 'busy') throw new HttpError(409, 'another role change is in progress; retry');
        if (user === undefined) throw new HttpError(404, 'no such user');
        return { statusCode: 200, body: user };
      },
    },
    options.corsOrigins,
  );
  return { handle };
}

export function parseSub(value: string | undefined): string {
  if (value === undefined || !SUB.test(value)) throw new HttpError(400, 'userId is not a user id');
  return value;
}

export function parseCursor(value: string | undefined): string | undefined {
  if (value !== undefined && decodeCursor(value) === undefined)
    throw new HttpError(400, 'cursor is malformed');
  return value;
}

/** A list of distinct declared role names; access tokens already issued keep their roles until they expire. */
export function parseRoles(value: unknown, known: readonly string[]): string[] {
  if (!Array.isArray(value) || !value.every((role): role is string => typeof role === 'string')) {
    throw new HttpError(400, 'roles must be an array of strings');
  }
  if (value.length > MAX_ROLES) throw new HttpError(400, `roles has more than ${MAX_ROLES} entries`);
  if (new Set(value).size !== value.length) throw new HttpError(400, 'roles has a repeated entry');
  const unknown = value.find((role) => !known.includes(role));
  if (unknown !== undefined) {
    throw new HttpError(
      400,
      `role "${unknown.slice(0, 64)}" is not declared. Expected one of: ${known.join(', ')}`,
    );
  }
  return value;
}
