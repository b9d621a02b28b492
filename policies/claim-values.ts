// Which claim values may be bound into a policy resource.
//
// A bound value becomes a literal path segment inside an IAM resource ARN. `*` and `?` would act as
// wildcards and `/` would cross into other routes, so only a conservative set of characters is accepted; a
// caller whose claim holds anything else gets no grant through that binding (fail closed).

/** Longest claim value bound into a policy; the 8 KB policy budget is computed with it. */
export const MAX_BOUND_VALUE_LENGTH = 128;

/** Longest client or token id the authorizer puts in its context (longer ones are left out); the budget uses it. */
export const MAX_CONTEXT_ID_LENGTH = 64;

const SAFE_VALUE = /^[A-Za-z0-9._~@:+=,-]+$/;

export function boundValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length === 0 || value.length > MAX_BOUND_VALUE_LENGTH) return undefined;
  return SAFE_VALUE.test(value) ? value : undefined;
}
