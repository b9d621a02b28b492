// Granted scope: the roles of the scope model a principal holds, intersected with what the request asks for.
import { OAuthError } from './oauth-errors';

/** RFC 6749 section 3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export interface RoleCatalog {
  /** Role names in model order (the order scopes are written in tokens). */
  names: readonly string[];
  /** Role -> roles it inherits directly. */
  inherits: ReadonlyMap<string, readonly string[]>;
}

export function createRoleCatalog(
  names: readonly string[],
  inherits: Readonly<Record<string, readonly string[]>> = {},
): RoleCatalog {
  for (const name of names) {
    if (!SCOPE_TOKEN.test(name)) throw new TypeError(`role "${name}" is not a valid OAuth2 scope token`);
    // Fail closed rather than let a role and the request for an ID token share one name.
    if (name === OPENID_SCOPE) throw new TypeError(`role "${name}" is reserved for OpenID Connect`);
  }
  return { names: [...names], inherits: new Map(Object.entries(inherits)) };
}

/** Held roles that still exist in the model, plus every role they inherit (an Admin may ask for User). */
function reachable(catalog: RoleCatalog, held: readonly string[]): Set<string> {
  const known = new Set(catalog.names);
  const out = new Set<string>();
  const pending = held.filter((role) => known.has(role));
  for (let role = pending.pop(); role !== undefined; role = pending.pop()) {
    if (out.has(role)) continue;
    out.add(role);
    pending.push(...(catalog.inherits.get(role) ?? []).filter((parent) => known.has(parent)));
  }
  return out;
}

/** The roles of an earlier grant that the principal still holds today (roles may have been taken away). */
export function stillHeld(
  catalog: RoleCatalog,
  granted: readonly string[],
  heldNow: readonly string[],
): string[] {
  const available = reachable(catalog, heldNow);
  return granted.filter((role) => available.has(role));
}

/**
 * The scope to grant, as role names in model order, each granted role with every role it inherits, so a
 * resource server that knows nothing of the inheritance can check a scope (an admin's token says `User Admin`).
 * - No `scope` parameter: every held role that the model still declares.
 * - A `scope` parameter: the asked roles the principal holds (directly or by inheritance); asked roles it does
 *   not hold are dropped (RFC 6749 3.3 lets the server narrow). Asking for a name the model does not declare,
 *   or ending with nothing granted, is `invalid_scope`: a token never goes out with an empty scope.
 */
export function grantScope(
  catalog: RoleCatalog,
  held: readonly string[],
  requested: string | undefined,
): string[] {
  const available = reachable(catalog, held);
  let wanted: Set<string>;
  if (requested === undefined) {
    wanted = new Set(held);
  } else {
    const asked = requested.split(' ');
    if (asked.some((token) => !SCOPE_TOKEN.test(token))) {
      throw new OAuthError('invalid_scope', 'scope must be space-separated scope tokens');
    }
    const unknown = asked.filter((token) => !catalog.names.includes(token));
    if (unknown.length > 0) throw new OAuthError('invalid_scope', `unknown scope: ${unknown.join(' ')}`);
    wanted = new Set(asked);
  }
  const granted = catalog.names.filter((name) => wanted.has(name) && available.has(name));
  if (granted.length === 0)
    throw new OAuthError('invalid_scope', 'none of the requested scopes is available');
  const withInherited = reachable(catalog, granted);
  return catalog.names.filter((name) => withInherited.has(name));
}

/** The OpenID Connect scope: not a role; it asks for an ID token (authorization code flow only). */
export const OPENID_SCOPE = 'openid';

/** Separates `openid` from the role names of a scope; `roles` is undefined when no role was named. */
export function splitOpenid(scope: string | undefined): { openid: boolean; roles: string | undefined } {
  if (scope === undefined) return { openid: false, roles: undefined };
  const tokens = scope.split(' ');
  const roles = tokens.filter((token) => token !== OPENID_SCOPE);
  return { openid: roles.length < tokens.length, roles: roles.length === 0 ? undefined : roles.join(' ') };
}
