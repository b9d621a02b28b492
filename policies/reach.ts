// Which routes an IAM resource glob reaches, given that `*` also matches `/` and API Gateway's routing.
//
// A glob over `METHOD/path` is a sequence of tokens: a literal segment, `*` (one or more whole segments, since
// IAM's `*` crosses `/`), or a single segment (a claim value bound into the glob, which never holds `/`).
// `reach` explores every request the glob matches, abstracted to the literals that can make a difference,
// and returns the routes API Gateway would send those requests to. Exact, not sampled: the state space is the
// product of the glob's positions and the set of tree nodes still matching, and it is finite.
import { METHODS, type Method, type Segment } from './model';
import type { RouteNode, RouteTree } from './route-tree';

export type GlobToken = { kind: 'literal'; value: string } | { kind: 'star' } | { kind: 'segment' };

/** Stands for any non-empty segment equal to none of the literals in play. */
const FRESH = Symbol('fresh segment');
type SegmentValue = string | typeof FRESH;

const star: GlobToken = { kind: 'star' };
const lit = (value: string): GlobToken => ({ kind: 'literal', value });

/** The glob of a route template: parameters become `*`, or one segment where `bound` names them. */
export function templateGlob(
  method: Method | '*',
  segments: readonly Segment[],
  bound: ReadonlySet<string> = new Set(),
): GlobToken[] {
  return [
    method === '*' ? star : lit(method),
    ...segments.map((s) =>
      s.kind === 'literal'
        ? lit(s.value)
        : s.kind === 'param' && bound.has(s.name)
          ? { kind: 'segment' as const }
          : star,
    ),
  ];
}

/** A glob's text after the ARN prefix, e.g. `GET/users/*`; bound segments are rendered by `segment`. */
export function globText(tokens: readonly GlobToken[], segment = '*'): string {
  const [method, ...path] = tokens;
  const render = (t: GlobToken): string =>
    t.kind === 'literal' ? t.value : t.kind === 'star' ? '*' : segment;
  if (path.length === 1 && path[0]!.kind === 'star' && method!.kind === 'star') return '*';
  return `${render(method!)}/${path.map(render).join('/')}`;
}

/** Route ids of every request the glob matches; requests that reach no route are left out. */
export function reach(tree: RouteTree, tokens: readonly GlobToken[]): number[] {
  const n = tokens.length;
  // Glob states: i < n is "before token i"; n + 1 + i is "inside star i, at least one segment consumed".
  const close = (states: Iterable<number>): number[] => {
    const out = new Set<number>();
    for (const s of states) {
      out.add(s);
      if (s > n) out.add(s - n); // inside star i may stop: continue at token i + 1
    }
    return [...out].sort((a, b) => a - b);
  };
  const step = (states: readonly number[], value: SegmentValue): number[] => {
    const next: number[] = [];
    for (const s of states) {
      if (s > n) {
        next.push(s);
        continue;
      }
      const token = tokens[s];
      if (!token) continue;
      if (token.kind === 'star') next.push(n + 1 + s);
      else if (token.kind === 'segment') {
        if (value !== FRESH && value === '') continue;
        next.push(s + 1);
      } else if (value === token.value) next.push(s + 1);
    }
    return close(next);
  };
  const advance = (alive: readonly RouteNode[], value: SegmentValue): RouteNode[] => {
    const next = new Set<RouteNode>();
    for (const node of alive) {
      if (node.isGreedy) {
        if (value !== '') next.add(node);
        continue;
      }
      const literal = value === FRESH ? undefined : node.literals.get(value);
      if (literal) next.add(literal);
      if (value !== '') {
        if (node.param) next.add(node.param);
        if (node.greedy) next.add(node.greedy);
      }
    }
    return [...next].sort((a, b) => a.rank - b.rank);
  };

  const found = new Set<number>();
  const seen = new Set<string>();
  const start = close([0]);
  for (const method of METHODS) {
    if (!tree.methods.has(method)) continue;
    const first = step(start, method);
    if (first.length === 0) continue;
    const stack: [number[], RouteNode[]][] = [[first, [tree.root]]];
    while (stack.length > 0) {
      const [states, alive] = stack.pop()!;
      const key = `${method}|${states.join(',')}|${alive.map((a) => a.rank).join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (states.includes(n)) {
        // Most specific matching template with this method: the lowest rank (alive is sorted by rank).
        const best = alive.find((a) => a !== tree.root && a.methods.has(method));
        if (best) found.add(best.methods.get(method)!);
      }
      // Where the glob only takes literals next, only those literals can lead anywhere.
      const wild = states.some((s) => s > n || (s < n && tokens[s]!.kind !== 'literal'));
      const values = new Set<SegmentValue>(wild ? [FRESH] : []);
      if (wild) for (const node of alive) for (const key of node.literals.keys()) values.add(key);
      for (const s of states) {
        const token = tokens[s];
        if (s < n && token?.kind === 'literal') values.add(token.value);
      }
      for (const value of values) {
        const nextStates = step(states, value);
        if (nextStates.length === 0) continue;
        const nextAlive = advance(alive, value);
        if (nextAlive.length > 0) stack.push([nextStates, nextAlive]);
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}
