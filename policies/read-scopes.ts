// Reads scopes.yaml text into a schema-checked document that still knows where every value stands.
import Ajv, { type ErrorObject } from 'ajv';
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { Diagnostic } from './errors';
import schema from './scopes.schema.json';

export interface ScopesDocument {
  version: number;
  routes: Record<string, string>;
  public?: string[];
  roles?: Record<string, { description?: string; inherits?: string[]; grants?: string[] }>;
  quotas?: { authorizers?: number; resources?: number };
}

export type PathElement = string | number;

/** Line and column (1-based) of a value, or of its key when `key` is set, within the file. */
export type Locate = (path: readonly PathElement[], key?: boolean) => { line: number; column: number };

export type ReadResult =
  { ok: true; document: ScopesDocument; locate: Locate } | { ok: false; diagnostics: Diagnostic[] };

const validate = new Ajv({ allErrors: true, strict: true }).compile<ScopesDocument>(schema);

const KNOWN_KEYS: Record<string, string[]> = {
  '': ['version', 'routes', 'public', 'roles', 'quotas'],
  role: ['description', 'inherits', 'grants'],
  quotas: ['authorizers', 'resources'],
};

function locator(doc: Document, lines: LineCounter): Locate {
  // Pairs by key per mapping, built on first use: diagnostics and route lines look up thousands of keys.
  const indexes = new WeakMap<object, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items)
        if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
      indexes.set(map, index);
    }
    return index.get(key);
  };
  return (path, key = false) => {
    let node: Node | null = doc.contents;
    let offset = node?.range?.[0] ?? 0;
    for (const [i, element] of path.entries()) {
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = pairOf(node, String(element));
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (last && key) {
          offset = keyNode.range?.[0] ?? offset;
          break;
        }
        node = pair.value as Node | null;
        offset = node?.range?.[0] ?? keyNode.range?.[0] ?? offset;
      } else if (isSeq(node)) {
        node = node.items[Number(element)] as Node | null;
        offset = node?.range?.[0] ?? offset;
      } else break;
    }
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

function pathOf(error: ErrorObject): PathElement[] {
  if (error.instancePath === '') return [];
  return error.instancePath
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function describe(path: readonly PathElement[]): string {
  let text = '';
  for (const p of path)
    text +=
      typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? `${text ? '.' : ''}${p}` : `["${p}"]`;
  return text || 'the document';
}

/** Turns one schema violation into a diagnostic that says what is wrong in the file's own terms. */
function schemaDiagnostic(error: ErrorObject, file: string, locate: Locate): Diagnostic | undefined {
  const path = pathOf(error);
  const at = (p: readonly PathElement[], key = false): Diagnostic => ({
    file,
    ...locate(p, key),
    message: '',
  });
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = KNOWN_KEYS[path.length === 0 ? '' : path[0] === 'quotas' ? 'quotas' : 'role'] ?? [];
      const where = path.length === 0 ? '' : ` in ${describe(path)}`;
      return {
        ...at([...path, name], true),
        message: `unknown key "${name}"${where}. Expected one of: ${known.join(', ')}`,
      };
    }
    case 'required':
      return { ...at(path), message: `missing key "${String(params.missingProperty)}"` };
    case 'propertyNames': {
      const name = String(params.propertyName);
      return {
        ...at([...path, name], true),
        message: `role name ${JSON.stringify(name)} is not valid. Expected an OAuth 2.0 scope token: 1 to 128 printable ASCII characters other than space, " and \\`,
      };
    }
    case 'pattern':
      if (path[0] === 'routes') {
        return {
          ...at(path),
          message: `function name "${String(error.data)}" is not valid. Expected a lowercase letter, then lowercase letters, digits or - (at most 48)`,
        };
      }
      return undefined; // reported by its propertyNames error
    case 'minProperties':
      return { ...at(path), message: `${describe(path)} must declare at least one route` };
    case 'uniqueItems': {
      const j = Math.max(Number(params.i), Number(params.j));
      return {
        ...at([...path, j]),
        message: `${describe(path)} lists ${JSON.stringify(error.data instanceof Array ? error.data[j] : '')} twice`,
      };
    }
    case 'type':
      return {
        ...at(path),
        message: `${describe(path)} must be ${params.type === 'array' ? 'a list' : params.type === 'object' ? 'a mapping' : `a ${String(params.type)}`}`,
      };
    default:
      return { ...at(path), message: `${describe(path)} ${error.message ?? 'is not valid'}` };
  }
}

/** Parses YAML and checks it against the JSON Schema; every problem is reported with its place. */
export function readScopes(source: string, file: string): ReadResult {
  const lines = new LineCounter();
  // Duplicate keys are found below in one pass: yaml's own check compares every pair of keys in a map.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const locate = locator(doc, lines);
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  const problems = doc.errors.map((e) => ({
    ...at(e.pos[0]),
    message: `invalid YAML: ${e.message.split('\n')[0]!}`,
  }));
  if (problems.length === 0) problems.push(...duplicateKeys(doc.contents, at));
  if (problems.length > 0) return { ok: false, diagnostics: problems };
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      diagnostics: [
        { file, ...locate([]), message: 'expected a mapping with version, routes, public and roles' },
      ],
    };
  }
  const version = (data as { version?: unknown }).version;
  if (version !== undefined && version !== 1) {
    return {
      ok: false,
      diagnostics: [
        {
          file,
          ...locate(['version']),
          message: `unsupported version ${JSON.stringify(version)}. Expected: 1`,
        },
      ],
    };
  }
  if (!validate(data)) {
    const diagnostics = (validate.errors ?? [])
      .map((e) => schemaDiagnostic({ ...e, data: valueAt(data, pathOf(e)) }, file, locate))
      .filter((d): d is Diagnostic => d !== undefined)
      .sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, diagnostics };
  }
  return { ok: true, document: data, locate };
}

/** Keys given twice in any mapping, each reported where it is repeated. */
function duplicateKeys(root: Node | null, at: (offset: number) => Omit<Diagnostic, 'message'>): Diagnostic[] {
  const found: Diagnostic[] = [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key)) {
          const name = String(key.value);
          const offset = key.range?.[0] ?? 0;
          const first = seen.get(name);
          if (first === undefined) seen.set(name, offset);
          else
            found.push({
              ...at(offset),
              message: `key "${name}" is given twice (first at line ${at(first).line})`,
            });
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(root);
  return found;
}

function valueAt(data: unknown, path: readonly PathElement[]): unknown {
  let value = data;
  for (const p of path) value = (value as Record<string, unknown> | undefined)?.[p];
  return value;
}
