// scopes.yaml texts shaped like real APIs, and what they mean, for the scale tests and the benchmarks.

const SUB_RESOURCES = [
  'items',
  'comments',
  'attachments',
  'tags',
  'events',
  'notes',
  'links',
  'versions',
  'reviews',
  'tasks',
  'labels',
  'shares',
];

/** One collection: CRUD, approve/archive, members, and `subResources` sub-collections with CRUD. */
function collectionRoutes(name: string, subResources: number): string[] {
  const id = `{${name}Id}`;
  const routes = [
    `GET /${name}`,
    `POST /${name}`,
    `GET /${name}/${id}`,
    `PUT /${name}/${id}`,
    `PATCH /${name}/${id}`,
    `DELETE /${name}/${id}`,
    `POST /${name}/${id}/approve`,
    `POST /${name}/${id}/archive`,
    `GET /${name}/${id}/members`,
    `POST /${name}/${id}/members`,
    `DELETE /${name}/${id}/members/{memberId}`,
  ];
  for (const sub of SUB_RESOURCES.slice(0, subResources)) {
    const subId = `{${sub.slice(0, -1)}Id}`;
    routes.push(
      `GET /${name}/${id}/${sub}`,
      `POST /${name}/${id}/${sub}`,
      `GET /${name}/${id}/${sub}/${subId}`,
      `PUT /${name}/${id}/${sub}/${subId}`,
      `DELETE /${name}/${id}/${sub}/${subId}`,
    );
  }
  return routes;
}

const collectionName = (i: number): string => `c${String(i).padStart(2, '0')}`;

/** A role as a generator means it: roles it inherits and its grant patterns, as scopes.yaml writes them. */
export interface RoleSpec {
  inherits?: string[];
  grants: string[];
}

/** An API as a generator means it: `METHOD /path` route keys, the public ones among them, roles by name. */
export interface ApiSpec {
  routes: string[];
  public?: string[];
  roles: Record<string, RoleSpec>;
}

/** The scopes.yaml text of a spec; role names and grants quoted, as names like `read:orders` need. */
export function scopesYaml({ routes, public: open, roles }: ApiSpec): string {
  const lines = ['version: 1', 'routes:', ...routes.map((r) => `  ${r}: api`)];
  if (open) lines.push('public:', ...open.map((r) => `  - ${r}`));
  lines.push('roles:');
  for (const [name, role] of Object.entries(roles)) {
    lines.push(`  ${JSON.stringify(name)}:`);
    if (role.inherits)
      lines.push(`    inherits: [${role.inherits.map((r) => JSON.stringify(r)).join(', ')}]`);
    lines.push('    grants:', ...role.grants.map((g) => `      - ${JSON.stringify(g)}`));
  }
  return lines.join('\n') + '\n';
}

/**
 * Collections with 20 routes each (CRUD, approve/archive, members, sub-resources); Reader, Writer, Approver,
 * Owner and Admin over all of them, `teams` team roles each owning every `teams`-th collection, and a `Self`
 * role that reaches the first collection only where its id is the caller's `sub`.
 */
export function teamApiSpec(collections: number, teams: number): ApiSpec {
  const names = Array.from({ length: collections }, (_, i) => collectionName(i));
  const routes = names.flatMap((n) => collectionRoutes(n, 2).concat(`GET /${n}/{${n}Id}/history`));
  const writes = (n: string) => [
    `POST /${n}`,
    `PUT /${n}/{${n}Id}`,
    `PATCH /${n}/{${n}Id}`,
    `POST /${n}/{${n}Id}/items`,
    `PUT /${n}/{${n}Id}/items/{itemId}`,
    `POST /${n}/{${n}Id}/comments`,
  ];
  const roles: Record<string, RoleSpec> = {
    Reader: { grants: ['GET /**'] },
    Writer: { inherits: ['Reader'], grants: names.flatMap(writes) },
    Approver: {
      inherits: ['Reader'],
      grants: names.flatMap((n) => [`POST /${n}/{${n}Id}/approve`, `POST /${n}/{${n}Id}/archive`]),
    },
    Owner: {
      inherits: ['Writer'],
      grants: names.flatMap((n) => [`DELETE /${n}/{${n}Id}`, `* /${n}/{${n}Id}/members/**`]),
    },
    Admin: { grants: ['* /**'] },
  };
  const first = names[0]!;
  roles.Self = {
    grants: [
      `GET /${first}/{${first}Id=sub}`,
      `PUT /${first}/{${first}Id=sub}`,
      `GET /${first}/{${first}Id=sub}/items`,
    ],
  };
  for (let t = 0; t < teams; t++) {
    roles[`team-${t}`] = { grants: names.filter((_, i) => i % teams === t).map((n) => `* /${n}/**`) };
  }
  return { routes, roles };
}

/**
 * Fine-grained OAuth scopes: `collections` collections of 11 + 5 × `subResources` routes, each with a read and a
 * write scope named as identity providers name them (`c00:read`, `orders-api/c01.write`,
 * `https://api.example.com/c02.read`).
 */
export function scopedApiSpec(collections: number, subResources: number): ApiSpec {
  const names = Array.from({ length: collections }, (_, i) => collectionName(i));
  const routes = names.flatMap((n) => collectionRoutes(n, subResources));
  const roles: Record<string, RoleSpec> = {};
  const styles = [
    (n: string, a: string) => `${n}:${a}`,
    (n: string, a: string) => `orders-api/${n}.${a}`,
    (n: string, a: string) => `https://api.example.com/${n}.${a}`,
    (n: string, a: string) => `api://orders/${n}.${a === 'read' ? 'Read' : 'Write'}`,
  ];
  for (const [i, n] of names.entries()) {
    const style = styles[i % styles.length]!;
    roles[style(n, 'read')] = { grants: [`GET /${n}/**`] };
    roles[style(n, 'write')] = {
      grants: ['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => `${m} /${n}/**`),
    };
  }
  return { routes, roles };
}

/** `teamApiSpec` as scopes.yaml. */
export const teamApi = (collections: number, teams: number): string =>
  scopesYaml(teamApiSpec(collections, teams));

/** `scopedApiSpec` as scopes.yaml. */
export const scopedApi = (collections: number, subResources: number): string =>
  scopesYaml(scopedApiSpec(collections, subResources));

const CHILDREN = ['boards', 'runs', 'files', 'jobs'];

/**
 * Tenants nested two levels deep, a shape the others lack: `projects` collections `/pNN/{pNNId}`, each with
 * `children` child collections and their `entries` (CRUD on every level), and per collection the caller's
 * own view `/users/{userId}/pNN/...`. Scopes per collection (`pNN:read`, `pNN:write`), `self` bound to `sub`
 * under `/users`, `auditor` and `admin`; with `members`, a `member` scope bound to the caller's `org` claim
 * on every project.
 */
export function nestedApiSpec(projects: number, children: number, { members = true } = {}): ApiSpec {
  const names = Array.from({ length: projects }, (_, i) => `p${String(i).padStart(2, '0')}`);
  const routes = ['GET /users/{userId}', 'PUT /users/{userId}'];
  for (const n of names) {
    const top = `/${n}/{${n}Id}`;
    routes.push(`GET /${n}`, `POST /${n}`, `GET ${top}`, `PUT ${top}`, `DELETE ${top}`);
    for (const child of CHILDREN.slice(0, children)) {
      const item = `${top}/${child}/{${child.slice(0, -1)}Id}`;
      routes.push(`GET ${top}/${child}`, `POST ${top}/${child}`, `GET ${item}`, `PUT ${item}`);
      routes.push(`DELETE ${item}`, `GET ${item}/entries`, `POST ${item}/entries`);
      routes.push(`GET ${item}/entries/{entryId}`, `DELETE ${item}/entries/{entryId}`);
    }
    routes.push(`GET /users/{userId}/${n}`, `GET /users/{userId}/${n}/{${n}Id}`);
  }
  const roles: Record<string, RoleSpec> = {};
  for (const n of names) {
    roles[`${n}:read`] = { grants: [`GET /${n}/**`] };
    roles[`${n}:write`] = {
      inherits: [`${n}:read`],
      grants: ['POST', 'PUT', 'DELETE'].map((m) => `${m} /${n}/**`),
    };
  }
  if (members) roles.member = { grants: names.map((n) => `GET /${n}/{${n}Id=org}/**`) };
  roles.self = { grants: ['* /users/{userId=sub}/**'] };
  roles.auditor = { grants: ['GET /**'] };
  roles.admin = { inherits: ['auditor'], grants: ['* /**'] };
  return { routes, roles };
}
