// The start-up banner's route table: every route with its access and the roles that may call it.
import type { CompiledModel } from '../policies/model';

export interface RouteLine {
  method: string;
  path: string;
  /** `public`, or the roles that hold the route, a binding in parentheses: `User (userId=sub)`. */
  callers: string;
  access: string;
}

/** Who may call each route, in declaration order of the model. */
export function describeRoutes(model: CompiledModel): RouteLine[] {
  return model.routes.map((route) => {
    if (route.access === 'public')
      return { method: route.method, path: route.path, callers: 'public', access: 'public' };
    const holders = model.roles.flatMap((role) => {
      const grant = role.grants.find((g) => g.route === route.id);
      if (grant === undefined) return [];
      const bound = grant.bindings.filter((binding) => Object.keys(binding).length > 0);
      if (bound.length < grant.bindings.length || bound.length === 0) return [role.name];
      const conditions = bound.map((binding) =>
        Object.entries(binding)
          .map(([param, claim]) => `${param}=${claim}`)
          .join(','),
      );
      return [`${role.name} (${conditions.join(' or ')})`];
    });
    return {
      method: route.method,
      path: route.path,
      callers: holders.length === 0 ? 'nobody' : holders.join(', '),
      access: `${route.access === 'token' ? 'token-cached' : 'per-route'} authorizer ${route.authorizer!}`,
    };
  });
}

/** The table as aligned text lines. */
export function formatRoutes(lines: readonly RouteLine[]): string[] {
  const methodWidth = Math.max(...lines.map((line) => line.method.length));
  const pathWidth = Math.max(...lines.map((line) => line.path.length));
  const callersWidth = Math.max(...lines.map((line) => line.callers.length));
  return lines.map((line) =>
    [
      line.method.padEnd(methodWidth),
      line.path.padEnd(pathWidth),
      line.callers.padEnd(callersWidth),
      line.access,
    ]
      .join('  ')
      .trimEnd(),
  );
}
