// The routes as API Gateway's resource tree, and request routing with its precedence.
//
// API Gateway picks the most specific resource: at the first segment where two templates differ, a literal
// beats `{param}`, which beats `{greedy+}`. A depth-first walk that tries literal, then parameter, then greedy
// children therefore meets the most specific match first; `rank` numbers the nodes in that order.
import type { CompiledRoute, Method, Segment } from './model';

export interface RouteNode {
  /** Depth-first order with literal < param < greedy children: lower rank = more specific. */
  rank: number;
  /** Path of this node, e.g. `/users/{userId}`. */
  path: string;
  /** Template segments from the root to this node. */
  segments: Segment[];
  literals: Map<string, RouteNode>;
  param?: RouteNode;
  greedy?: RouteNode;
  isGreedy: boolean;
  /** Route id per method declared on this resource. */
  methods: Map<Method, number>;
}

export interface RouteTree {
  root: RouteNode;
  /** Methods that have at least one route. */
  methods: Set<Method>;
  /** Node of each route, by route id. */
  nodeOf: RouteNode[];
  nodes: RouteNode[];
}

function newNode(parent: RouteNode | undefined, segment: Segment | undefined): RouteNode {
  const segments = parent && segment ? [...parent.segments, segment] : [];
  const path =
    segments.length === 0
      ? ''
      : segment?.kind === 'literal' && segment.value === ''
        ? '/'
        : childPath(parent!.path || '/', segment!);
  return {
    rank: 0,
    path,
    segments,
    literals: new Map(),
    isGreedy: segment?.kind === 'greedy',
    methods: new Map(),
  };
}

function childPath(parent: string, segment: Segment): string {
  const text =
    segment.kind === 'literal'
      ? segment.value
      : segment.kind === 'param'
        ? `{${segment.name}}`
        : `{${segment.name}+}`;
  return parent === '/' ? `/${text}` : `${parent}/${text}`;
}

/** Builds the tree; routes must already be free of duplicate shapes and conflicting parameter names. */
export function buildRouteTree(
  routes: readonly { id: number; method: Method; segments: Segment[] }[],
): RouteTree {
  const root = newNode(undefined, undefined);
  const nodeOf: RouteNode[] = [];
  for (const route of routes) {
    let node = root;
    for (const segment of route.segments) {
      if (segment.kind === 'literal') {
        let next = node.literals.get(segment.value);
        if (!next) node.literals.set(segment.value, (next = newNode(node, segment)));
        node = next;
      } else if (segment.kind === 'param') {
        node = node.param ??= newNode(node, segment);
      } else {
        node = node.greedy ??= newNode(node, segment);
      }
    }
    node.methods.set(route.method, route.id);
    nodeOf[route.id] = node;
  }
  const nodes: RouteNode[] = [];
  const visit = (node: RouteNode): void => {
    node.rank = nodes.length;
    nodes.push(node);
    for (const key of [...node.literals.keys()].sort()) visit(node.literals.get(key)!);
    if (node.param) visit(node.param);
    if (node.greedy) visit(node.greedy);
  };
  visit(root);
  return { root, methods: new Set(routes.map((r) => r.method)), nodeOf, nodes };
}

/** Splits a request path into segments the way route templates are split (`/` is one empty segment). */
export function requestSegments(path: string): string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  if (path === '/') return [''];
  const parts = path.slice(1).split('/');
  return parts.some((p) => p === '') ? undefined : parts;
}

/** The most specific resource whose template matches the whole path (with backtracking), if any. */
export function findResource(tree: RouteTree, segments: readonly string[]): RouteNode | undefined {
  const walk = (node: RouteNode, i: number): RouteNode | undefined => {
    if (i === segments.length) return node === tree.root ? undefined : node;
    const segment = segments[i]!;
    const literal = node.literals.get(segment);
    const viaLiteral = literal && walk(literal, i + 1);
    if (viaLiteral) return viaLiteral;
    if (segment === '') return undefined;
    const viaParam = node.param && walk(node.param, i + 1);
    if (viaParam) return viaParam;
    return node.greedy;
  };
  return walk(tree.root, 0);
}

export interface RouteMatch {
  route: CompiledRoute;
  pathParameters: Record<string, string>;
}

/** Values of the template's parameters in a matching request path. */
export function pathParametersOf(
  route: { segments: Segment[] },
  segments: readonly string[],
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [i, s] of route.segments.entries()) {
    if (s.kind === 'param') values[s.name] = segments[i]!;
    if (s.kind === 'greedy') values[s.name] = segments.slice(i).join('/');
  }
  return values;
}
