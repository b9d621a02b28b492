// Keeps the API manageable: a role change may not take the last enabled holder's role that manages roles.
import { DeleteCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { CompiledModel } from '../../policies/model';
import { roleGuardKey, userKey } from '../lib/token-table';

/** The route whose callers manage roles. */
export const MANAGE_ROLES_ROUTE = { method: 'PUT', path: '/users/{userId}/roles' } as const;

/** Seconds a guard lease lasts if its holder dies before releasing it. */
const LEASE_SECONDS = 10;

/** Roles granted the role-management route unconditionally (inheritance is already resolved in the model). */
export function rolesThatManageRoles(model: CompiledModel): string[] {
  const route = model.routes.find(
    (candidate) =>
      candidate.method === MANAGE_ROLES_ROUTE.method && candidate.path === MANAGE_ROLES_ROUTE.path,
  );
  if (route === undefined) return [];
  return model.roles
    .filter((role) =>
      role.grants.some(
        (grant) => grant.route === route.id && grant.bindings.some((b) => Object.keys(b).length === 0),
      ),
    )
    .map((role) => role.name);
}

export interface RoleGuard {
  /**
   * Runs `change` while no other guarded change runs, when taking `target`'s last manager role would still leave
   * another enabled holder; otherwise answers why not without changing anything.
   */
  guard<T>(
    target: string,
    heldNow: readonly string[],
    next: readonly string[],
    change: () => Promise<T>,
  ): Promise<T | 'last-manager' | 'busy'>;
}

/**
 * DynamoDB has transactions, dynalite does not: the check and the change are serialized by a lease item
 * (one conditional put, expired leases count as free), so two managers demoting each other at once cannot
 * both succeed.
 */
export function createRoleGuard(
  documents: DynamoDBDocumentClient,
  tableName: string,
  managerRoles: readonly string[],
  now: () => number = Date.now,
): RoleGuard {
  const isManager = (roles: readonly string[]) => roles.some((role) => managerRoles.includes(role));

  async function anotherHolder(target: string): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':user': 'USER',
      ':prefix': 'USER#',
      ':target': userKey(target).pk,
    };
    managerRoles.forEach((role, i) => (values[`:r${i}`] = role));
    const anyRole = managerRoles.map((_, i) => `contains(#roles, :r${i})`).join(' OR ');
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          FilterExpression: `sk = :user AND begins_with(pk, :prefix) AND pk <> :target AND (attribute_not_exists(#disabled) OR #disabled <> :true) AND (${anyRole})`,
          ExpressionAttributeNames: { '#roles': 'roles', '#disabled': 'disabled' },
          ExpressionAttributeValues: { ...values, ':true': true },
          ProjectionExpression: 'pk',
          Select: 'SPECIFIC_ATTRIBUTES',
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      if ((page.Items ?? []).length > 0) return true;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return false;
  }

  return {
    async guard(target, heldNow, next, change) {
      if (!isManager(heldNow) || isManager(next)) return change();
      const owner = randomUUID();
      const nowSeconds = Math.floor(now() / 1000);
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...roleGuardKey(), owner, expiresAt: nowSeconds + LEASE_SECONDS },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'busy';
        throw error;
      }
      try {
        if (!(await anotherHolder(target))) return 'last-manager';
        return await change();
      } finally {
        await documents
          .send(
            new DeleteCommand({
              TableName: tableName,
              Key: roleGuardKey(),
              ConditionExpression: '#owner = :owner',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':owner': owner },
            }),
          )
          .catch(() => undefined);
      }
    },
  };
}
