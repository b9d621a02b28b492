// First start: an `admin` user with role Admin and the public client `local` (password, refresh and
// authorization code grants; redirect URIs on loopback ending in /callback, any port).
import { randomBytes } from 'node:crypto';
import { putClient } from '../functions/auth/clients';
import type { Db } from '../functions/auth/db';
import { createPasswordHasher, type ScryptParams } from '../functions/auth/passwords';
import { createUser, findUserByName } from '../functions/auth/users';
import { isConditionFailure } from '../functions/auth/db';
import { clientKey } from '../functions/lib/token-table';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

export const ADMIN_USERNAME = 'admin';
export const LOCAL_CLIENT_ID = 'local';
/** A developer's front end on any loopback port (`http://127.0.0.1:5173/callback`) works without setup. */
export const LOCAL_REDIRECT_URIS = [
  'http://127.0.0.1/callback',
  'http://[::1]/callback',
  'http://localhost/callback',
];

export interface SeedOptions {
  /** The admin's password; generated when absent. */
  adminPassword?: string;
  /** The role the admin holds. */
  adminRole: string;
  /** Epoch seconds. */
  now: number;
  passwordParams?: ScryptParams;
}

export interface SeedResult {
  /** True when this start created the admin (false: it already existed). */
  adminCreated: boolean;
  /** The generated password, set only when this start generated it: print it once, it is stored only as a hash. */
  generatedPassword?: string;
  clientCreated: boolean;
}

/** Creates what is missing and leaves what exists (a persisted table keeps its admin and its password). */
export async function seedLocalData(db: Db, options: SeedOptions): Promise<SeedResult> {
  const clientCreated = await putClient(db, {
    ...clientKey(LOCAL_CLIENT_ID),
    clientId: LOCAL_CLIENT_ID,
    grantTypes: ['password', 'refresh_token', 'authorization_code'],
    redirectUris: LOCAL_REDIRECT_URIS,
    roles: [],
    createdAt: options.now,
  });
  if (!clientCreated) await addCodeFlow(db);
  if ((await findUserByName(db, ADMIN_USERNAME)) !== undefined) return { adminCreated: false, clientCreated };
  const generatedPassword =
    options.adminPassword === undefined ? randomBytes(18).toString('base64url') : undefined;
  const password = options.adminPassword ?? generatedPassword!;
  const hasher =
    options.passwordParams === undefined
      ? createPasswordHasher()
      : createPasswordHasher(options.passwordParams);
  const created = await createUser(db, {
    username: ADMIN_USERNAME,
    passwordHash: await hasher.hash(password),
    roles: [options.adminRole],
    now: options.now,
  });
  // 'taken': another process seeded the same table between the look-up and the put.
  if (created === 'taken') return { adminCreated: false, clientCreated };
  return generatedPassword === undefined
    ? { adminCreated: true, clientCreated }
    : { adminCreated: true, generatedPassword, clientCreated };
}

/** A `local` client persisted before it had redirect URIs gains the code flow; one it already has is left alone. */
async function addCodeFlow(db: Db): Promise<void> {
  try {
    await db.documents.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: clientKey(LOCAL_CLIENT_ID),
        UpdateExpression: 'SET redirectUris = :uris, grantTypes = list_append(grantTypes, :code)',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(redirectUris)',
        ExpressionAttributeValues: { ':uris': LOCAL_REDIRECT_URIS, ':code': ['authorization_code'] },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
