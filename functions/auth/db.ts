// The table handle shared by the token service's data modules, and the one DynamoDB error they branch on.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Db {
  documents: DynamoDBDocumentClient;
  tableName: string;
}

/** True for a conditional write that lost (the expected outcome of a race or a taken key, not an outage). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
