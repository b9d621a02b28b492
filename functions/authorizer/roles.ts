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

/**
 * The token's roles that its principal still holds: held today directly or through `inherits`. A token keeps the
 * roles it was issued with until it expires; the table says which of them are still true.
 *
 * @example stillHeldRoles(['Admin', 'User'], ['User'], new Map([['Admin', ['User']]])) // ['User']
 */
export function stillHeldRoles(
  tokenRoles: readonly string[],
  heldNow: readonly string[],
  inherits: ReadonlyMap<string, readonly string[]>,
): string[] {
  const available = new Set<string>();
  const pending = [...heldNow];
  for (let role = pending.pop(); role !== undefined; role = pending.pop()) {
    if (available.has(role)) continue;
    available.add(role);
    pending.push(...(inherits.get(role) ?? []));
  }
  return tokenRoles.filter((role) => available.has(role));
}
