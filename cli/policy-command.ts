// `npm run scopes -- policy`: the result the deployed authorizer returns for a caller, on a route or in general.
import {
  authorize,
  matchRoute,
  type AuthorizeRequest,
  type CompiledModel,
  type CompiledRoute,
} from '../policies';
import { parseMethodArn } from '../policies/method-arn';

/** An ARN of a made-up API and stage; `--method-arn` names a real one. */
export const DEFAULT_METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/';

export interface PolicyOptions {
  roles: readonly string[];
  sub: string;
  claims: Readonly<Record<string, unknown>>;
  methodArn?: string;
  /** `METHOD /path` as scopes.yaml declares it; without it and `methodArn`, the first token-cached route. */
  route?: string;
}

export interface PolicyAnswer {
  /** Which authorizer decides, and what its answer covers (for standard error). */
  note: string;
  /** The authorizer result as JSON, or undefined for a public route (no authorizer runs). */
  result?: string;
}

/** A value that is wrong for this model rather than for the command line. */
export class PolicyCommandError extends Error {
  override name = 'PolicyCommandError';
}

/**
 * A request path that reaches the route, for the method ARN: each parameter replaced by its name
 * (`/users/{userId}` → `/users/userId`), or by other values where a more specific route would take that one.
 */
export function samplePath(model: CompiledModel, route: CompiledRoute): string {
  for (const suffix of ['', '-1', '-x-1']) {
    for (const greedy of [(name: string) => name, (name: string) => `${name}/${name}-2`]) {
      const path = route.path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, plus: string) =>
        plus === '+' ? greedy(`${name}${suffix}`) : `${name}${suffix}`,
      );
      if (matchRoute(model, route.method, path)?.route.id === route.id) return path;
    }
  }
  throw new PolicyCommandError(`no request path reaches ${route.method} ${route.path}`);
}

export function policyCommand(model: CompiledModel, options: PolicyOptions): PolicyAnswer {
  const caller = {
    principalId: options.sub,
    roles: [...options.roles],
    claims: { sub: options.sub, ...options.claims },
  };
  const methodArn = options.methodArn ?? DEFAULT_METHOD_ARN;
  const render = (request: AuthorizeRequest): string =>
    JSON.stringify(authorize(model, caller, request), null, 2);
  // With neither, ask as on the first token-cached route: the token-cached answer is about a route's group.
  const first = model.routes.find((r) => r.access === 'token');
  const routeText =
    options.route ?? (options.methodArn === undefined ? first && `${first.method} ${first.path}` : undefined);
  if (routeText === undefined) {
    return {
      note: 'the token-cached authorizer (cached per token: the result decides every token-cached route)',
      result: render({ methodArn }),
    };
  }
  const route = findRoute(model, routeText);
  const arn = parseMethodArn(methodArn);
  if (arn === undefined) throw new PolicyCommandError(`--method-arn "${methodArn}" is not a method ARN`);
  const routeArn = `${arn.prefix}${route.method}${samplePath(model, route)}`;
  const name = `${route.method} ${route.path}`;
  if (route.access === 'public') {
    return { note: `${name} is public: no authorizer runs, every request reaches ${route.function}` };
  }
  if (route.access === 'route') {
    return {
      note: `${name}: the per-route authorizer (cached per token, method and path: the result decides this route)`,
      result: render({ methodArn: routeArn, resourcePath: route.path, httpMethod: route.method }),
    };
  }
  // The token-cached authorizer is asked without a resource path, with the method ARN naming the route.
  return {
    note: `${name}: the token-cached authorizer (cached per token: the result decides every token-cached route)`,
    result: render({ methodArn: routeArn }),
  };
}

function findRoute(model: CompiledModel, text: string): CompiledRoute {
  const match = /^([A-Z]+) (\/\S*)$/.exec(text.trim());
  if (!match) throw new PolicyCommandError(`--route expects "METHOD /path", got "${text}"`);
  const route = model.routes.find((r) => r.method === match[1] && r.path === match[2]);
  if (route === undefined) {
    throw new PolicyCommandError(
      `--route "${text}" is not a route of ${model.file}: \`npm run scopes -- routes\` lists them`,
    );
  }
  return route;
}
