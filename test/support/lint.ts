// `npm run lint`: ESLint with a cache that stays right for typed rules, then Prettier with its cache.
//
// ESLint's cache reuses a file's result while the file is unchanged, but a typed rule also depends on the types
// the file imports (a function made async elsewhere leaves a call unawaited here). So the cache is keyed by a
// hash of every declaration of the project, which `npm run typecheck` writes: a change to any exported type
// lints everything again; a change inside a function body relints only that file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/scopegate');
const TYPES = join(CACHE, 'types');
const BUILD_INFO = join(CACHE, 'tsc.tsbuildinfo');
const SKIP = new Set(['node_modules', '.git', 'dist', '.build']);

function files(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path, keep) : keep(entry.name) ? [path] : [];
  });
}

function run(command: string, args: string[]): number {
  const result = spawnSync(join(ROOT, 'node_modules/.bin', command), args, { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

/** The declarations must describe the sources as they are now: written after the newest source change. */
function typesAreFresh(): boolean {
  if (!existsSync(BUILD_INFO)) return false;
  const written = statSync(BUILD_INFO).mtimeMs;
  return files(ROOT, (name) => name.endsWith('.ts')).every((file) => statSync(file).mtimeMs <= written);
}

function typesKey(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...files(TYPES, (name) => name.endsWith('.d.ts')).sort(),
    ...['package-lock.json', 'tsconfig.json', 'eslint.config.mjs'].map((name) => join(ROOT, name)),
  ];
  for (const file of inputs)
    hash
      .update(`${relative(ROOT, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

function main(): number {
  if (!typesAreFresh()) {
    const typecheck = spawnSync('npm', ['run', '-s', 'typecheck'], { cwd: ROOT, stdio: 'inherit' });
    if (typecheck.status !== 0) return typecheck.status ?? 1;
    // tsc leaves its build info alone when no content changed (a file only touched): mark it current.
    const now = new Date();
    utimesSync(BUILD_INFO, now, now);
  }
  const key = typesKey();
  const eslintCaches = join(CACHE, 'eslint');
  mkdirSync(eslintCaches, { recursive: true });
  // Results cached under other declarations can never be used again.
  for (const old of readdirSync(eslintCaches))
    if (old !== key) rmSync(join(eslintCaches, old), { force: true });
  const eslint = run('eslint', [
    '.',
    '--max-warnings',
    '0',
    '--cache',
    '--cache-strategy',
    'content',
    '--cache-location',
    join(eslintCaches, key),
  ]);
  const prettier = run('prettier', [
    '--check',
    '--cache',
    '--cache-strategy',
    'content',
    '--cache-location',
    join(CACHE, 'prettier'),
    '.',
  ]);
  return eslint !== 0 ? eslint : prettier;
}

process.exitCode = main();
