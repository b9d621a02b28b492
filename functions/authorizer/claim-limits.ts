// Bounds on the claims the authorizer copies into its result, so no token can push it past API Gateway's 8 KB.
import { MAX_BOUND_VALUE_LENGTH, MAX_CONTEXT_ID_LENGTH } from '../../policies/claim-values';

/**
 * Printable ASCII without space, `"` and `\`: one byte each in the result's JSON (OpenID Connect subjects are
 * ASCII anyway). The policy budget sizes `principalId` and the context's `sub` at `MAX_BOUND_VALUE_LENGTH`.
 */
const SUBJECT = new RegExp(`^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${MAX_BOUND_VALUE_LENGTH}}$`);
const CONTEXT_ID = new RegExp(`^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${MAX_CONTEXT_ID_LENGTH}}$`);

/** True when `sub` can be the principal: a token whose subject is not is refused (401), never truncated. */
export function isBoundedSubject(sub: string): boolean {
  return SUBJECT.test(sub);
}

/** A client or token id for the context, or '' when the claim is absent, not a string, too long or unusual. */
export function contextId(value: unknown): string {
  return typeof value === 'string' && CONTEXT_ID.test(value) ? value : '';
}
