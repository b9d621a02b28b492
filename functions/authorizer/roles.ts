// Reads the caller's roles from a verified token: a space-separated `scope` or an array claim such as `groups`.

/**
 * Returns the roles named in `claim` that the scope model knows, in token order, without duplicates. Unknown
 * roles are dropped (the policy generator would ignore them anyway); a claim of any other shape yields none.
 *
 * @example readRoles({ scope: 'User openid' }, 'scope', new Set(['User'])) // ['User']
 */
export function readRoles(
  payload: Record<string, unknown>,
  claim: string,
  known: ReadonlySet<string>,
): string[] {
  const value = payload[claim];
  const names =
    typeof value === 'string'
      ? value.split(/\s+/)
      : Array.isArray(value)
        ? value.filter((item): item is string => typeof item === 'string')
        : [];
  return [...new Set(names.filter((name) => known.has(name)))];
}
