// Generates realistic scopes files of any size for benchmarks: resources with CRUD routes and four roles.

/**
 * `routes` routes over resources of five routes each (list, create, read, update, delete); roles Reader
 * (every GET), Owner (their own items, bound to sub), Writer (every other resource) and Admin (everything).
 */
export function syntheticScopes(routes: number): string {
  const lines = ['version: 1', 'routes:'];
  const resources = Math.ceil(routes / 5);
  const ops = (r: number) => [
    `GET /resource-${r}`,
    `POST /resource-${r}`,
    `GET /resource-${r}/{itemId}`,
    `PUT /resource-${r}/{itemId}`,
    `DELETE /resource-${r}/{itemId}`,
  ];
  let count = 0;
  for (let r = 0; r < resources; r++) {
    for (const op of ops(r)) if (count++ < routes) lines.push(`  ${op}: fn`);
  }
  lines.push('roles:', '  Reader:', '    grants:', '      - GET /**');
  lines.push('  Owner:', '    grants:');
  for (let r = 0; r < resources; r += 7)
    if (r * 5 + 2 < routes) lines.push(`      - GET /resource-${r}/{itemId=sub}`);
  lines.push('  Writer:', '    grants:');
  for (let r = 0; r < resources; r += 2) lines.push(`      - '* /resource-${r}/**'`);
  lines.push('  Admin:', '    inherits: [Reader, Writer]', '    grants:', "      - '* /**'");
  return lines.join('\n') + '\n';
}
