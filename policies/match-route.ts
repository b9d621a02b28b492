// Request routing over a compiled model, as API Gateway does it: most specific resource first, then method.
import type { CompiledModel } from './model';
import {
  buildRouteTree,
  findResource,
  pathParametersOf,
  requestSegments,
  type RouteMatch,
  type RouteTree,
} from './route-tree';

const trees = new WeakMap<CompiledModel, RouteTree>();

/**
 * The route a request reaches, with its path parameters; undefined when API Gateway would answer 403
 * `Missing Authentication Token` (no resource, or the resource has no such method).
 *
 * @example matchRoute(model, 'GET', '/users/42') // { route: GET /users/{userId}, pathParameters: { userId: '42' } }
 */
export function matchRoute(model: CompiledModel, method: string, path: string): RouteMatch | undefined {
  let tree = trees.get(model);
  if (!tree) trees.set(model, (tree = buildRouteTree(model.routes)));
  const segments = requestSegments(path);
  if (!segments) return undefined;
  const node = findResource(tree, segments);
  const id = node?.methods.get(method as never);
  if (id === undefined) return undefined;
  const route = model.routes[id]!;
  return { route, pathParameters: pathParametersOf(route, segments) };
}
