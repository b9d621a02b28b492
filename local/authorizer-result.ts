// Checks a Lambda authorizer's answer as API Gateway does before it trusts (and caches) it.
import { MAX_RESULT_BYTES } from '../policies/index';

/** A result API Gateway accepted: the policy as returned and the context with every value as a string. */
export interface AcceptedResult {
  principalId: string;
  policyDocument: { Statement: unknown };
  context: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringOrList = (value: unknown): boolean =>
  typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));

function statementIsValid(statement: unknown): boolean {
  return (
    isObject(statement) &&
    (statement.Effect === 'Allow' || statement.Effect === 'Deny') &&
    isStringOrList(statement.Action ?? statement.NotAction) &&
    isStringOrList(statement.Resource ?? statement.NotResource)
  );
}

/**
 * Returns the accepted result, or a reason it is malformed (API Gateway answers those with a 500
 * AuthorizerConfigurationException): no principalId, no usable policy, a context value that is not a string,
 * number or boolean, or a result over the size budget.
 */
export function acceptAuthorizerResult(value: unknown): AcceptedResult | { malformed: string } {
  if (!isObject(value)) return { malformed: 'the result is not an object' };
  const { principalId, policyDocument, context } = value;
  if (typeof principalId !== 'string' || principalId === '') return { malformed: 'principalId is missing' };
  if (!isObject(policyDocument)) return { malformed: 'policyDocument is missing' };
  const statements = Array.isArray(policyDocument.Statement)
    ? policyDocument.Statement
    : [policyDocument.Statement];
  if (!statements.every(statementIsValid)) return { malformed: 'policyDocument has a malformed statement' };
  const accepted: Record<string, string> = {};
  if (context !== undefined && context !== null) {
    if (!isObject(context)) return { malformed: 'context is not an object' };
    for (const [key, item] of Object.entries(context)) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        return { malformed: `context value "${key}" is not a string, number or boolean` };
      }
      // API Gateway hands every context value to the integration as a string.
      accepted[key] = String(item);
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_RESULT_BYTES)
    return { malformed: `the result is ${bytes} bytes, over ${MAX_RESULT_BYTES}` };
  return { principalId, policyDocument: { Statement: statements }, context: accepted };
}
