// `npm run admin -- <command>`: manage users and OAuth2 clients in the token table (local or deployed).
import '../local/quiet-sdk-warning';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  CLIENT_ID,
  generateClientSecret,
  GRANT_TYPES,
  hashClientSecret,
  putClient,
  setClientDisabled,
} from '../functions/auth/clients';
import type { Db } from '../functions/auth/db';
import { createPasswordHasher } from '../functions/auth/passwords';
import {
  createUser,
  findUserByName,
  getUser,
  normalizeUsername,
  setUserDisabled,
  setUserPassword,
  setUserRoles,
  USERNAME_RULE,
} from '../functions/auth/users';
import { clientKey } from '../functions/lib/token-table';
import { localClients } from '../local/dynamodb';
import { defaultStateFile, readStackState } from '../local/stack-state';
import { indexUnlistedUsers } from './index-users';
import { loadScopes } from './scopes-file';

export const USAGE = `Usage: npm run admin -- <command> [--table NAME] [--endpoint URL] [--region R] [--scopes FILE] [options]

Commands:
  create-user --username NAME [--password PW] [--roles R1,R2]   (password generated and printed once if absent;
                                                                 roles default to User)
  set-roles (--username NAME | --sub ID) --roles R1,R2
  set-password (--username NAME | --sub ID) [--password PW]     (generated and printed once if absent)
  create-client --client-id ID --grant-types G1,G2 [--roles R1,R2] [--public]
                (confidential unless --public: its secret is generated and printed once)
  disable-user (--username NAME | --sub ID) [--enable]
  index-users   (once, for a table with users from before the user index: lists them in GET /users)
  disable-client --client-id ID [--enable]

Without --table, --endpoint and --region (and without $SCOPEGATE_TABLE) the commands go to the local stack that
\`npm start\` is running. --table defaults to $SCOPEGATE_TABLE; --endpoint targets a local DynamoDB, else the
default AWS credential chain is used. Roles are checked against --scopes (default: scopes.yaml).`;

const MIN_PASSWORD_LENGTH = 12;

/** A mistake in the command line: printed with a pointer to the usage, exit code 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** A well-formed command the table refuses (no such user, a taken name): exit code 1. */
class AdminError extends Error {
  override name = 'AdminError';
}

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

const OPTIONS = {
  table: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  scopes: { type: 'string' },
  username: { type: 'string' },
  sub: { type: 'string' },
  password: { type: 'string' },
  roles: { type: 'string' },
  'client-id': { type: 'string' },
  'grant-types': { type: 'string' },
  public: { type: 'boolean' },
  enable: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function need(values: Values, name: 'username' | 'roles' | 'client-id' | 'grant-types'): string {
  const value = values[name];
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

function checkRoles(roles: string[], values: Values): string[] {
  if (roles.length === 0) throw new UsageError('--roles needs at least one role');
  const known = loadScopes(values.scopes).model.roles.map((role) => role.name);
  const unknown = roles.filter((role) => !known.includes(role));
  if (unknown.length > 0) {
    throw new AdminError(`unknown role "${unknown.join(', ')}". Expected one of: ${known.join(', ')}`);
  }
  return [...new Set(roles)];
}

async function resolveSub(db: Db, values: Values): Promise<string> {
  if (values.sub !== undefined && values.username !== undefined)
    throw new UsageError('give --username or --sub, not both');
  if (values.sub !== undefined) {
    if (!(await getUser(db, values.sub))) throw new AdminError(`no user with sub "${values.sub}"`);
    return values.sub;
  }
  const name = normalizeUsername(need(values, 'username'));
  const user = name === undefined ? undefined : await findUserByName(db, name);
  if (!user) throw new AdminError(`no user named "${values.username}"`);
  return user.sub;
}

function newPassword(values: Values): string {
  const password = values.password ?? randomBytes(18).toString('base64url');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`--password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  return password;
}

async function run(command: string, values: Values, db: Db, io: AdminIo): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  switch (command) {
    case 'create-user': {
      const username = normalizeUsername(need(values, 'username'));
      if (username === undefined) throw new UsageError(`--username must be ${USERNAME_RULE}`);
      const roles = checkRoles(values.roles === undefined ? ['User'] : list(values.roles), values);
      const password = newPassword(values);
      const passwordHash = await createPasswordHasher().hash(password);
      const user = await createUser(db, { username, passwordHash, roles, now });
      if (user === 'taken') throw new AdminError(`username "${username}" is taken`);
      io.out(`created user ${username} (sub ${user.sub}) with roles ${roles.join(', ')}`);
      if (values.password === undefined) io.out(`password (shown once): ${password}`);
      return;
    }
    case 'set-roles': {
      const roles = checkRoles(list(need(values, 'roles')), values);
      const sub = await resolveSub(db, values);
      if (!(await setUserRoles(db, sub, roles))) throw new AdminError(`no user with sub "${sub}"`);
      io.out(
        `user ${sub} now has roles ${roles.join(', ')} (a role taken away ends at the authorizer's next call; a new one comes with the next login or refresh)`,
      );
      return;
    }
    case 'set-password': {
      const password = newPassword(values);
      const sub = await resolveSub(db, values);
      if (!(await setUserPassword(db, sub, await createPasswordHasher().hash(password)))) {
        throw new AdminError(`no user with sub "${sub}"`);
      }
      io.out(`user ${sub} has a new password (signed-in sessions keep working until they end)`);
      if (values.password === undefined) io.out(`password (shown once): ${password}`);
      return;
    }
    case 'disable-user': {
      const sub = await resolveSub(db, values);
      const disabled = values.enable !== true;
      if (!(await setUserDisabled(db, sub, disabled))) throw new AdminError(`no user with sub "${sub}"`);
      io.out(
        disabled
          ? `user ${sub} disabled: logins and refreshes are refused now; an access token already checked by the ` +
              'authorizer keeps working until its cached answer expires (the authorizer cache TTL, 300 s by default)'
          : `user ${sub} enabled`,
      );
      return;
    }
    case 'index-users': {
      const indexed = await indexUnlistedUsers(db);
      io.out(`${indexed} user${indexed === 1 ? '' : 's'} added to the user index`);
      return;
    }
    case 'disable-client': {
      const clientId = need(values, 'client-id');
      const disabled = values.enable !== true;
      if (!(await setClientDisabled(db, clientId, disabled))) throw new UsageError(`no client "${clientId}"`);
      io.out(
        `client ${clientId} ${disabled ? 'disabled: every token of it is refused from now on' : 'enabled'}`,
      );
      return;
    }
    case 'create-client': {
      const clientId = need(values, 'client-id');
      if (!CLIENT_ID.test(clientId))
        throw new UsageError('--client-id must be 1 to 128 of: letters, digits . _ ~ -');
      const grantTypes = [...new Set(list(need(values, 'grant-types')))];
      const unknown = grantTypes.filter((grant) => !(GRANT_TYPES as readonly string[]).includes(grant));
      if (unknown.length > 0 || grantTypes.length === 0) {
        throw new UsageError(
          `unknown grant type "${unknown.join(', ')}". Expected one of: ${GRANT_TYPES.join(', ')}`,
        );
      }
      const isPublic = values.public === true;
      if (isPublic && grantTypes.includes('client_credentials')) {
        throw new UsageError('a --public client cannot use client_credentials');
      }
      const roles = values.roles === undefined ? [] : checkRoles(list(values.roles), values);
      if (grantTypes.includes('client_credentials') && roles.length === 0) {
        throw new UsageError('a client_credentials client needs --roles');
      }
      const secret = isPublic ? undefined : generateClientSecret();
      const created = await putClient(db, {
        ...clientKey(clientId),
        clientId,
        ...(secret === undefined ? {} : { secretHash: hashClientSecret(secret) }),
        grantTypes,
        roles,
        createdAt: now,
      });
      if (!created) throw new AdminError(`client "${clientId}" already exists`);
      io.out(`created ${isPublic ? 'public' : 'confidential'} client ${clientId} (${grantTypes.join(', ')})`);
      if (secret !== undefined) io.out(`client secret (shown once): ${secret}`);
      return;
    }
    default:
      throw new UsageError(
        `unknown command "${command}". Expected one of: create-user, set-roles, set-password, create-client, disable-user, disable-client, index-users`,
      );
  }
}

interface Target {
  tableName: string;
  endpoint?: string;
  /** What a local DynamoDB requires. */
  accessKeyId?: string;
  /** How errors name the table's place. */
  where: string;
}

/** The table as given (--table, $SCOPEGATE_TABLE, --endpoint), else the one of the running local stack. */
function resolveTarget(values: Values, io: AdminIo): Target {
  const given = values.table ?? io.env.SCOPEGATE_TABLE;
  const tableName = given === '' ? undefined : given;
  const { endpoint, region } = values;
  const where = endpoint ?? `AWS${region === undefined ? '' : ` (${region})`}`;
  if (tableName !== undefined) return { tableName, ...(endpoint === undefined ? {} : { endpoint }), where };
  const local = region === undefined ? readStackState(defaultStateFile(io.env)) : undefined;
  if (local !== undefined && (endpoint === undefined || endpoint === local.dynamoEndpoint)) {
    io.err(
      `admin: the local stack at ${local.url} (DynamoDB ${local.dynamoEndpoint}, table ${local.tableName})`,
    );
    return {
      tableName: local.tableName,
      endpoint: local.dynamoEndpoint,
      ...(local.dynamoAccessKeyId === undefined ? {} : { accessKeyId: local.dynamoAccessKeyId }),
      where: local.dynamoEndpoint,
    };
  }
  throw new UsageError(
    endpoint === undefined && region === undefined
      ? '--table (or SCOPEGATE_TABLE) is required: no local stack (npm start) is running'
      : '--table (or SCOPEGATE_TABLE) is required',
  );
}

/** Runs one admin command; resolves to the exit code (0 ok, 1 failure, 2 bad command line). */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  let client: DynamoDBClient | undefined;
  let where = '';
  let tableName = '';
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.help === true) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? 'a command is required' : 'give one command');
    const target = resolveTarget(values, io);
    ({ tableName, where } = target);
    const clients =
      target.endpoint === undefined
        ? (() => {
            const raw = new DynamoDBClient(values.region === undefined ? {} : { region: values.region });
            return {
              client: raw,
              documents: DynamoDBDocumentClient.from(raw, {
                marshallOptions: { removeUndefinedValues: true },
              }),
            };
          })()
        : localClients(target.endpoint, target.accessKeyId);
    client = clients.client;
    await run(positionals[0]!, values, { documents: clients.documents, tableName }, io);
    return 0;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      io.err(`admin: table "${tableName}" not found at ${where}`);
      return 1;
    }
    const usage =
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
    // parseArgs appends advice about `--` that does not apply here.
    const message =
      error instanceof Error ? error.message.split('. To specify a positional')[0]! : String(error);
    io.err(`admin: ${message}`);
    if (usage) io.err('Run with --help for usage.');
    return usage ? 2 : 1;
  } finally {
    client?.destroy();
  }
}

if (require.main === module) {
  void runAdmin(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
