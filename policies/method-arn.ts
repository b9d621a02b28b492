// execute-api ARNs: the method ARN API Gateway sends, and the resource ARNs a policy allows or denies.

export interface MethodArn {
  /** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/`, the prefix of every resource. */
  prefix: string;
  method: string;
  /** The request path with its real values, e.g. `/users/42`. */
  path: string;
}

const METHOD_ARN =
  /^(arn:[a-z-]+:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[A-Za-z0-9_-]+\/)([A-Z*]+)\/(.*)$/;

/** Splits a method ARN, e.g. `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/users/42`. */
export function parseMethodArn(arn: string): MethodArn | undefined {
  if (arn.length > 1600) return undefined;
  const match = METHOD_ARN.exec(arn);
  if (!match) return undefined;
  return { prefix: match[1]!, method: match[2]!, path: `/${match[3]!}` };
}

/**
 * The longest prefix a deployed stack can send, for sizing policies: partition, region, account and a
 * 10-character API id at their longest, and a stage name of at most 32 characters.
 */
export const BUDGET_ARN_PREFIX = `arn:aws-us-gov:execute-api:ap-southeast-4:123456789012:abcdefghij/${'s'.repeat(32)}/`;

/** API Gateway's limit for a resource ARN in a policy. */
export const MAX_RESOURCE_ARN_LENGTH = 512;
