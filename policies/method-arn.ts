// execute-api ARNs: the method ARN API Gateway sends, and the resource ARNs a policy allows or denies.

export interface MethodArn {
  /** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/`, as API Gateway sent it. */
  prefix: string;
  /**
   * `arn:*:execute-api:*:*:<apiId>/<stage>/`, the prefix of every policy resource. API Gateway evaluates an
   * authorizer's policy only against requests to the API that called it, whose partition, region and account
   * never vary, so `*` there decides exactly as the full ARN does and keeps 33 bytes per resource for routes.
   */
  resourcePrefix: string;
  method: string;
  /** The request path with its real values, e.g. `/users/42`. */
  path: string;
}

// REST API ids are 10 characters and deployed stage names at most 32 (the stack config enforces it): the
// policy budget is computed for those lengths, so a longer one is refused (fail closed).
const METHOD_ARN =
  /^(arn:[a-z-]+:execute-api:[a-z0-9-]+:\d{12}:([A-Za-z0-9]{1,10})\/([A-Za-z0-9_-]{1,32})\/)([A-Z*]+)\/(.*)$/;

/** Splits a method ARN, e.g. `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/users/42`. */
export function parseMethodArn(arn: string): MethodArn | undefined {
  if (arn.length > 1600) return undefined;
  const match = METHOD_ARN.exec(arn);
  if (!match) return undefined;
  return {
    prefix: match[1]!,
    resourcePrefix: `arn:*:execute-api:*:*:${match[2]!}/${match[3]!}/`,
    method: match[4]!,
    path: `/${match[5]!}`,
  };
}

/** The longest policy resource prefix, for sizing policies: a 10-character API id and a 32-character stage. */
export const BUDGET_ARN_PREFIX = `arn:*:execute-api:*:*:abcdefghij/${'s'.repeat(32)}/`;

/** API Gateway's limit for a resource ARN in a policy. */
export const MAX_RESOURCE_ARN_LENGTH = 512;

/** The longest method ARN prefix a deployed stack sends (partition, region at their longest): for tests and sizing. */
export const LONGEST_METHOD_ARN_PREFIX = `arn:aws-us-gov:execute-api:ap-southeast-4:123456789012:abcdefghij/${'s'.repeat(32)}/`;
