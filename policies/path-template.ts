// Parsing of route keys (`GET /users/{userId}`) and grant patterns (`* /messages/**`, `GET /users/{userId=sub}`).
import { METHODS, type Method, type Segment } from './model';

/** Characters a literal path segment may hold (RFC 3986 unreserved). */
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+)?\}$/;
const BOUND_PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z_][A-Za-z0-9_:.-]*)\}$/;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface RouteKey {
  method: Method;
  path: string;
  segments: Segment[];
}

/** A grant pattern segment: like a template segment, plus an optional claim binding on parameters. */
export type PatternSegment = Segment | { kind: 'bound'; name: string; claim: string };

export interface GrantPattern {
  /** `*` for every method. */
  method: Method | '*';
  segments: PatternSegment[];
  /** True when the path ends in `/**`: the prefix and every route below it. */
  subtree: boolean;
}

const methodList = METHODS.join(', ');

function parseMethod(text: string, allowStar: boolean): ParseResult<Method | '*'> {
  if (allowStar && text === '*') return { ok: true, value: '*' };
  if ((METHODS as readonly string[]).includes(text)) return { ok: true, value: text as Method };
  if (text === 'OPTIONS') return { ok: false, message: 'method "OPTIONS" is reserved for CORS preflight' };
  const expected = allowStar ? `*, ${methodList}` : methodList;
  return { ok: false, message: `method "${text}" is not allowed. Expected one of: ${expected}` };
}

function splitKey(text: string, what: string): ParseResult<[string, string]> {
  const match = /^(\S+) (\S+)$/.exec(text);
  if (!match) return { ok: false, message: `${what} "${text}" is not valid. Expected "METHOD /path"` };
  return { ok: true, value: [match[1]!, match[2]!] };
}

/** Splits `/a/b` into `['a', 'b']`; the root `/` is one empty segment, as in its ARN (`GET/`). */
function splitPath(path: string): ParseResult<string[]> {
  if (!path.startsWith('/')) return { ok: false, message: `path "${path}" must start with "/"` };
  if (path === '/') return { ok: true, value: [''] };
  const parts = path.slice(1).split('/');
  if (parts.some((p) => p === '')) return { ok: false, message: `path "${path}" has an empty segment` };
  return { ok: true, value: parts };
}

function parseSegment(part: string, path: string): ParseResult<Segment> {
  if (part === '' || LITERAL.test(part)) return { ok: true, value: { kind: 'literal', value: part } };
  const param = PARAM.exec(part);
  if (param) return { ok: true, value: { kind: param[2] ? 'greedy' : 'param', name: param[1]! } };
  return {
    ok: false,
    message: `path segment "${part}" in "${path}" is not valid. Expected a literal of letters, digits and -._~, {name} or {name+}`,
  };
}

/** Checks what both routes and patterns share: greedy last, parameter names unique. */
function checkParams(segments: readonly PatternSegment[], path: string): string | undefined {
  const seen = new Set<string>();
  for (const [i, s] of segments.entries()) {
    if (s.kind === 'literal') continue;
    if (s.kind === 'greedy' && i !== segments.length - 1) {
      return `greedy parameter {${s.name}+} in "${path}" must be the last segment`;
    }
    if (seen.has(s.name)) return `parameter {${s.name}} appears twice in "${path}"`;
    seen.add(s.name);
  }
  return undefined;
}

/** Parses a `routes` key such as `GET /users/{userId}`. */
export function parseRouteKey(text: string): ParseResult<RouteKey> {
  const split = splitKey(text, 'route');
  if (!split.ok) return split;
  const [methodText, path] = split.value;
  const method = parseMethod(methodText, false);
  if (!method.ok) return method;
  const parts = splitPath(path);
  if (!parts.ok) return parts;
  const segments: Segment[] = [];
  for (const part of parts.value) {
    const segment = parseSegment(part, path);
    if (!segment.ok) return segment;
    segments.push(segment.value);
  }
  const problem = checkParams(segments, path);
  if (problem) return { ok: false, message: problem };
  return { ok: true, value: { method: method.value as Method, path, segments } };
}

/** Parses a grant such as `GET /users/{userId=sub}`, `* /messages/**` or `GET /**`. */
export function parseGrantPattern(text: string): ParseResult<GrantPattern> {
  const split = splitKey(text, 'grant');
  if (!split.ok) return split;
  const [methodText, path] = split.value;
  const method = parseMethod(methodText, true);
  if (!method.ok) return method;
  const subtree = path === '/**' || path.endsWith('/**');
  const prefix = path === '/**' ? '/' : subtree ? path.slice(0, -3) : path;
  const parts = splitPath(prefix);
  if (!parts.ok) return parts;
  const segments: PatternSegment[] = [];
  for (const part of subtree && prefix === '/' ? [] : parts.value) {
    if (part === '**') return { ok: false, message: `"**" in "${path}" may only end the path` };
    const bound = BOUND_PARAM.exec(part);
    if (bound) {
      segments.push({ kind: 'bound', name: bound[1]!, claim: bound[2]! });
      continue;
    }
    const segment = parseSegment(part, path);
    if (!segment.ok) return segment;
    segments.push(segment.value);
  }
  const problem = checkParams(segments, path);
  if (problem) return { ok: false, message: problem };
  return { ok: true, value: { method: method.value, segments, subtree } };
}

/** The route's shape without parameter names: two routes with one shape are the same route. */
export function shapeOf(method: string, segments: readonly Segment[]): string {
  const parts = segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? '{}' : '{+}'));
  return `${method} /${parts.join('/')}`;
}

/** Does a pattern segment name this template segment (same literal, or a parameter of the same name)? */
export function segmentMatches(pattern: PatternSegment, segment: Segment): boolean {
  if (pattern.kind === 'literal') return segment.kind === 'literal' && segment.value === pattern.value;
  if (pattern.kind === 'greedy') return segment.kind === 'greedy' && segment.name === pattern.name;
  return segment.kind === 'param' && segment.name === pattern.name;
}
