// What an API spec grants, read from its own grant patterns: the scale tests' expectation, independent of the compiler.
import type { ApiSpec } from './api-models';

interface PatternPart {
  text: string;
  claim?: string;
}

/** `{name=claim}` -> `{name}` and its claim; anything else as written. */
function partOf(segment: string): PatternPart {
  const bound = /^\{([^=}]+)=([^}]+)\}$/.exec(segment);
  return bound ? { text: `{${bound[1]!}}`, claim: bound[2]! } : { text: segment };
}

const segmentsOf = (path: string): string[] => path.split('/').slice(1);

/** The roles a token's roles stand for, inheritance followed. */
function heldRoles(spec: ApiSpec, roles: readonly string[]): Set<string> {
  const held = new Set<string>();
  const visit = (name: string): void => {
    if (held.has(name) || !(name in spec.roles)) return;
    held.add(name);
    for (const parent of spec.roles[name]!.inherits ?? []) visit(parent);
  };
  roles.forEach(visit);
  return held;
}

/**
 * Whether a caller with `roles` and `claims` may call `route` (`METHOD /path` as declared) with these path
 * parameter values: some held role's grant names the route (exactly, or as a `/**` prefix, any method for
 * `*`), and every parameter the grant binds equals the claim it names.
 */
export function specGrants(
  spec: ApiSpec,
  roles: readonly string[],
  claims: Record<string, unknown>,
  route: string,
  params: Record<string, string>,
): boolean {
  const [method, path] = route.split(' ') as [string, string];
  const routeSegments = segmentsOf(path);
  return [...heldRoles(spec, roles)].some((name) =>
    spec.roles[name]!.grants.some((grant) => {
      const [grantMethod, grantPath] = grant.split(' ') as [string, string];
      if (grantMethod !== '*' && grantMethod !== method) return false;
      const subtree = grantPath === '/**' || grantPath.endsWith('/**');
      const parts = segmentsOf(grantPath.replace(/\/?\*\*$/, ''))
        .filter((s) => s !== '')
        .map(partOf);
      if (subtree ? routeSegments.length < parts.length : routeSegments.length !== parts.length) return false;
      return parts.every((part, i) => {
        if (part.text !== routeSegments[i]) return false;
        if (part.claim === undefined) return true;
        const value = claims[part.claim];
        return typeof value === 'string' && value === params[part.text.slice(1, -1)];
      });
    }),
  );
}
