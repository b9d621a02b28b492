// The exact access difference between two compiled scope models: who gains and who loses which route.
import type { Access, Binding, CompiledModel, CompiledRoute } from './model';
import { shapeOf } from './path-template';

/** Whether a change lets someone call something they could not call before. */
export type ChangeKind = 'widen' | 'narrow' | 'neutral';

export type RouteChangeType =
  'route-added' | 'route-removed' | 'function-changed' | 'public-added' | 'public-removed' | 'access-changed';

/** A change to a route itself, independent of roles. */
export interface RouteChange {
  kind: ChangeKind;
  change: RouteChangeType;
  /** The route key: method and path with parameter names replaced by position (`GET /users/{}`). */
  key: string;
  /** `METHOD /path` as declared in the head model (the base model when the route was removed). */
  route: string;
  /** The function, access or visibility before and after, where the change type has them. */
  before?: string;
  after?: string;
}

export type GrantChangeType = 'gained' | 'lost' | 'widened' | 'narrowed';

/** A change to what one role holds on one route. */
export interface GrantChange {
  kind: ChangeKind;
  change: GrantChangeType;
  key: string;
  route: string;
  /** The role's alternatives on the route before and after, written as grants (`GET /users/{userId=sub}`). */
  before: string[];
  after: string[];
  /** Alternatives granted now that no alternative held before implies (widened, gained). */
  granted: string[];
  /** Alternatives held before that no alternative held now implies (narrowed, lost). */
  revoked: string[];
}

export interface RoleDiff {
  role: string;
  /** Set when the whole role was added or removed (neutral: its grants are listed as gained or lost). */
  status?: 'added' | 'removed';
  grants: GrantChange[];
}

/**
 * Everything that changed in access between two models, inheritance resolved. Routes are identified by method
 * and path with parameter names replaced by their position, so renaming `{id}` to `{userId}` (bindings
 * included) is no change. Grants on a route that is public in either model are not compared per role: the
 * route-level `public-added` / `public-removed` change says it all.
 */
export interface AccessDiff {
  base: string;
  head: string;
  routes: RouteChange[];
  roles: RoleDiff[];
}

/** A binding with parameter names replaced by their segment position: `{ '1': 'sub' }`. */
type PositionalBinding = Record<string, string>;

interface RouteEntry {
  route: CompiledRoute;
  key: string;
}

/** The route key of a route: method and path, parameter names replaced by position. */
export function routeKey(route: Pick<CompiledRoute, 'method' | 'segments'>): string {
  return shapeOf(route.method, route.segments);
}

const labelOf = (route: CompiledRoute): string => `${route.method} ${route.path}`;

function indexRoutes(model: CompiledModel): Map<string, RouteEntry> {
  return new Map(model.routes.map((route) => [routeKey(route), { route, key: routeKey(route) }]));
}

function positional(route: CompiledRoute, binding: Binding): PositionalBinding {
  const out: PositionalBinding = {};
  route.segments.forEach((segment, i) => {
    if (segment.kind !== 'literal' && binding[segment.name] !== undefined) {
      out[String(i)] = binding[segment.name]!;
    }
  });
  return out;
}

/** `a` implies `b` when every condition of `b` is one of `a`'s: whoever `a` admits, `b` admits. */
function implies(a: PositionalBinding, b: PositionalBinding): boolean {
  return Object.entries(b).every(([position, claim]) => a[position] === claim);
}

/** `token: scopegateToken`: the kind of authorizer and the one that decides the route. */
function decidedBy(route: CompiledRoute): string {
  return route.authorizer === undefined ? route.access : `${route.access}: ${route.authorizer}`;
}

/** Alternatives of `these` that no alternative of `those` implies: access `these` grant and `those` do not. */
function notImpliedBy(these: PositionalBinding[], those: PositionalBinding[]): PositionalBinding[] {
  return these.filter((alternative) => !those.some((other) => implies(alternative, other)));
}

/** An alternative written as a grant: `GET /users/{userId=sub}`. */
function grantText(route: CompiledRoute, binding: PositionalBinding): string {
  const parts = route.segments.map((segment, i) => {
    if (segment.kind === 'literal') return segment.value;
    const claim = binding[String(i)];
    const name = segment.kind === 'greedy' ? `${segment.name}+` : segment.name;
    return claim === undefined ? `{${name}}` : `{${name}=${claim}}`;
  });
  return `${route.method} /${parts.join('/')}`;
}

/** Each role's alternatives per private route key. */
function roleGrants(model: CompiledModel): Map<string, Map<string, PositionalBinding[]>> {
  const roles = new Map<string, Map<string, PositionalBinding[]>>();
  for (const role of model.roles) {
    const grants = new Map<string, PositionalBinding[]>();
    for (const grant of role.grants) {
      const route = model.routes[grant.route];
      if (route === undefined || route.access === 'public') continue;
      grants.set(
        routeKey(route),
        grant.bindings.map((binding) => positional(route, binding)),
      );
    }
    roles.set(role.name, grants);
  }
  return roles;
}

function diffRoutes(base: Map<string, RouteEntry>, head: Map<string, RouteEntry>): RouteChange[] {
  const changes: RouteChange[] = [];
  const visibility = (access: Access): string => (access === 'public' ? 'public' : 'private');
  for (const [key, { route }] of head) {
    const before = base.get(key)?.route;
    const label = labelOf(route);
    if (before === undefined) {
      changes.push({ kind: 'neutral', change: 'route-added', key, route: label, after: route.function });
      if (route.access === 'public') {
        changes.push({ kind: 'widen', change: 'public-added', key, route: label, after: 'public' });
      }
      continue;
    }
    if (before.function !== route.function) {
      changes.push({
        kind: 'neutral',
        change: 'function-changed',
        key,
        route: label,
        before: before.function,
        after: route.function,
      });
    }
    const [was, is] = [visibility(before.access), visibility(route.access)];
    if (was !== is) {
      const widens = is === 'public';
      changes.push({
        kind: widens ? 'widen' : 'narrow',
        change: widens ? 'public-added' : 'public-removed',
        key,
        route: label,
        before: was,
        after: is,
      });
    } else if (before.access !== route.access || before.authorizer !== route.authorizer) {
      changes.push({
        kind: 'neutral',
        change: 'access-changed',
        key,
        route: label,
        before: decidedBy(before),
        after: decidedBy(route),
      });
    }
  }
  for (const [key, { route }] of base) {
    if (head.has(key)) continue;
    const label = labelOf(route);
    changes.push({ kind: 'neutral', change: 'route-removed', key, route: label, before: route.function });
    if (route.access === 'public') {
      changes.push({ kind: 'narrow', change: 'public-removed', key, route: label, before: 'public' });
    }
  }
  return changes;
}

function diffGrants(
  before: Map<string, PositionalBinding[]>,
  after: Map<string, PositionalBinding[]>,
  routeOf: (key: string) => CompiledRoute,
  isComparable: (key: string) => boolean,
): GrantChange[] {
  const changes: GrantChange[] = [];
  const keys = [...after.keys(), ...[...before.keys()].filter((key) => !after.has(key))];
  for (const key of keys.filter(isComparable)) {
    const route = routeOf(key);
    const was = before.get(key) ?? [];
    const is = after.get(key) ?? [];
    const text = (alternatives: PositionalBinding[]): string[] =>
      alternatives.map((binding) => grantText(route, binding));
    const granted = notImpliedBy(is, was);
    const revoked = notImpliedBy(was, is);
    const common = { key, route: labelOf(route), before: text(was), after: text(is) };
    if (granted.length > 0) {
      const change = was.length === 0 ? 'gained' : 'widened';
      changes.push({ kind: 'widen', change, ...common, granted: text(granted), revoked: [] });
    }
    if (revoked.length > 0) {
      const change = is.length === 0 ? 'lost' : 'narrowed';
      changes.push({ kind: 'narrow', change, ...common, granted: [], revoked: text(revoked) });
    }
  }
  return changes;
}

/**
 * Compares two compiled models: per role (inheritance resolved) the routes gained and lost and the bindings
 * widened or narrowed, plus routes added, removed, moved to another function, made public or private, and
 * moved between the token-cached and the per-route authorizer. Equivalent files give an empty diff.
 *
 * @example
 * const diff = diffModels(compileScopes(baseText), compileScopes(headText));
 * if (widens(diff)) console.log(renderDiffMarkdown(diff));
 */
export function diffModels(base: CompiledModel, head: CompiledModel): AccessDiff {
  const baseRoutes = indexRoutes(base);
  const headRoutes = indexRoutes(head);
  const routeOf = (key: string): CompiledRoute => (headRoutes.get(key) ?? baseRoutes.get(key))!.route;
  // Grants on a route public on either side are not per-role access: public-added/-removed covers them.
  const isComparable = (key: string): boolean =>
    baseRoutes.get(key)?.route.access !== 'public' && headRoutes.get(key)?.route.access !== 'public';
  const baseGrants = roleGrants(base);
  const headGrants = roleGrants(head);
  const roles: RoleDiff[] = [];
  const names = [...headGrants.keys(), ...[...baseGrants.keys()].filter((name) => !headGrants.has(name))];
  for (const role of names) {
    const status = !baseGrants.has(role) ? 'added' : !headGrants.has(role) ? 'removed' : undefined;
    const grants = diffGrants(
      baseGrants.get(role) ?? new Map<string, PositionalBinding[]>(),
      headGrants.get(role) ?? new Map<string, PositionalBinding[]>(),
      routeOf,
      isComparable,
    );
    if (status !== undefined || grants.length > 0) {
      roles.push({ role, ...(status === undefined ? {} : { status }), grants });
    }
  }
  return { base: base.file, head: head.file, routes: diffRoutes(baseRoutes, headRoutes), roles };
}

/** True when the diff lets anyone call anything they could not call before. */
export function widens(diff: AccessDiff): boolean {
  return (
    diff.routes.some((change) => change.kind === 'widen') ||
    diff.roles.some((role) => role.grants.some((change) => change.kind === 'widen'))
  );
}

/** True when nothing changed. */
export function isEmptyDiff(diff: AccessDiff): boolean {
  return diff.routes.length === 0 && diff.roles.length === 0;
}

const CHANGE_TEXT: Record<RouteChangeType | GrantChangeType, string> = {
  'route-added': 'route added',
  'route-removed': 'route removed',
  'function-changed': 'moved to another function',
  'public-added': 'made public',
  'public-removed': 'no longer public',
  'access-changed': 'authorizer changed',
  gained: 'route gained',
  lost: 'route lost',
  widened: 'bindings widened',
  narrowed: 'bindings narrowed',
};

const MARK: Record<ChangeKind, string> = { widen: '**⚠️ widens**', narrow: 'narrows', neutral: '—' };

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (texts: readonly string[]): string =>
  texts.length === 0 ? 'none' : texts.map((text) => `\`${cell(text)}\``).join(' or ');

function table(rows: string[][]): string[] {
  return [
    '| | Change | Route | Before | After |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The diff as Markdown for a pull-request comment: `No access change.` when empty, else a summary line, a table
 * of route-level changes and one table per role; every widening is marked.
 */
export function renderDiffMarkdown(diff: AccessDiff): string {
  if (isEmptyDiff(diff)) return 'No access change.';
  const all = [...diff.routes, ...diff.roles.flatMap((role) => role.grants)];
  const tally = (kind: ChangeKind): number => all.filter((change) => change.kind === kind).length;
  const lines = [
    `${widens(diff) ? '**Access widens**' : 'Access does not widen'}: ${count(tally('widen'), 'widening')}, ` +
      `${count(tally('narrow'), 'narrowing')}, ${count(tally('neutral'), 'other change')} ` +
      `(\`${cell(diff.base)}\` → \`${cell(diff.head)}\`).`,
  ];
  if (diff.routes.length > 0) {
    lines.push('', '#### Routes', '');
    lines.push(
      ...table(
        diff.routes.map((change) => [
          MARK[change.kind],
          CHANGE_TEXT[change.change],
          code([change.route]),
          change.before ?? '',
          change.after ?? '',
        ]),
      ),
    );
  }
  for (const role of diff.roles) {
    lines.push('', `#### Role \`${cell(role.role)}\``, '');
    if (role.status !== undefined) lines.push(`Role ${role.status}.`, '');
    if (role.grants.length === 0) continue;
    lines.push(
      ...table(
        role.grants.map((change) => [
          MARK[change.kind],
          CHANGE_TEXT[change.change],
          code([change.route]),
          code(change.before),
          code(change.after),
        ]),
      ),
    );
  }
  return lines.join('\n');
}
