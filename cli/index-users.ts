// `npm run admin -- index-users`: puts users written before the user index existed into it.
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../functions/auth/db';
import { isConditionFailure } from '../functions/auth/db';
import { USER_INDEX, userIndexKey } from '../functions/lib/token-table';

/**
 * Gives every user item without the index's partition key that key (its sort key, the name, is already there),
 * so `GET /users` lists it. One scan of the table, run once by an operator; resolves to the number indexed.
 */
export async function indexUnlistedUsers(db: Db): Promise<number> {
  let indexed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.documents.send(
      new ScanCommand({
        TableName: db.tableName,
        FilterExpression: 'sk = :user AND begins_with(pk, :prefix) AND attribute_not_exists(#list)',
        ExpressionAttributeNames: { '#list': USER_INDEX.partitionKey },
        ExpressionAttributeValues: { ':user': 'USER', ':prefix': 'USER#' },
        ProjectionExpression: 'pk, sk',
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      try {
        await db.documents.send(
          new UpdateCommand({
            TableName: db.tableName,
            Key: { pk: item.pk as string, sk: item.sk as string },
            UpdateExpression: 'SET #list = :list',
            // Still a user, and still unlisted (a concurrent run may have indexed it).
            ConditionExpression: 'attribute_exists(#name) AND attribute_not_exists(#list)',
            ExpressionAttributeNames: { '#list': USER_INDEX.partitionKey, '#name': USER_INDEX.sortKey },
            ExpressionAttributeValues: { ':list': userIndexKey('').userList },
          }),
        );
        indexed += 1;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return indexed;
}
