// Reads the caller's roles from a verified token: scope strings and array claims, possibly nested, mapped.

export interface RoleSource {
  /** Claims holding roles, values united; a dotted path (`realm_access.roles`) reaches a nested claim. */
  rolesClaims: readonly string[];
  /** Provider value -> role name, for provider groups named otherwise than in scopes.yaml. */
  roleMap?: ReadonlyMap<string, string> | undefined;
}

/**
 * Returns the roles the scope model knows, from every claim of `source` in order, without duplicates. A string
 * claim is a scope: values separated by U+0020 only (RFC 6749 section 3.3); an array claim contributes its
 * strings. Each value goes through `roleMap` when it has an entry. Unknown roles are dropped (the policy
 * generator would ignore them anyway); a claim of any other shape yields none.
 *
 * @example readRoles({ scope: 'User openid' }, { rolesClaims: ['scope'] }, new Set(['User'])) // ['User']
 */
export function readRoles(
  payload: Record<string, unknown>,
  source: RoleSource,
  known: ReadonlySet<string>,
): string[] {
  const roles = new Set<string>();
  for (const claim of source.rolesClaims) {
    const value = claimAt(payload, claim);
    const names =
      typeof value === 'string'
        ? value.split(' ')
        : Array.isArray(value)
          ? value.filter((item): item is string => typeof item === 'string')
          : [];
    for (const name of names) {
      const role = source.roleMap?.get(name) ?? name;
      if (known.has(role)) roles.add(role);
    }
  }
  return [...roles];
}

/**
 * The claim named `name`; when there is none, the value at `name` read as a dotted path. A claim whose own name
 * holds dots (`https://example.com/roles`, Auth0's namespaced claims) is found first. Own properties only.
 */
function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
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
