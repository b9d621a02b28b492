// The table handle shared by the token service's data modules, and the one DynamoDB error they branch on.
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableKey } from '../lib/token-table';

export interface Db {
  documents: DynamoDBDocumentClient;
  tableName: string;
}

/** True for a conditional write that lost (the expected outcome of a race or a taken key, not an outage). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Writes an item only where its key is free; false when taken (the existing item is never overwritten). */
export async function putIfAbsent(db: Db, item: TableKey & object): Promise<boolean> {
  try {
    await db.documents.send(
      new PutCommand({
        TableName: db.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
