// `npm run scopes -- matrix`: the routes-by-roles table in the terminal (symbols and colours) or as Markdown.
import {
  buildAccessMatrix,
  formatBinding,
  type AccessMatrix,
  type CellKind,
  type MatrixCell,
  type MatrixRow,
} from '../policies/access-matrix';
import type { CompiledModel } from '../policies/model';

/** Readable without colour: each kind has its own symbol. */
export const SYMBOLS: Record<CellKind, string> = { allowed: '✓', own: '◐', denied: '✗', public: '○' };

/** Marks a route decided by the per-route authorizer. */
export const PER_ROUTE_MARK = '†';

const COLOURS: Record<CellKind, string> = {
  allowed: '\u001b[32m', // green
  own: '\u001b[33m', // yellow
  denied: '\u001b[31m', // red
  public: '\u001b[36m', // cyan
};
const RESET = '\u001b[0m';
const DIM = '\u001b[2m';

export interface MatrixCommandOptions {
  markdown?: boolean;
  /** ANSI colours; decide with `useColour`. */
  colour?: boolean;
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** The text of a cell: its symbol, with the binding for `own` (`◐ userId=sub`). */
export function cellText(cell: MatrixCell): string {
  if (cell.kind === 'own') return `${SYMBOLS.own} ${cell.bindings.map(formatBinding).join(' | ')}`;
  return SYMBOLS[cell.kind];
}

function routeText(row: MatrixRow): string {
  return `${row.method} ${row.path}${row.access === 'route' ? ` ${PER_ROUTE_MARK}` : ''}`;
}

const LEGEND =
  `${SYMBOLS.allowed} allowed   ${SYMBOLS.own} own only (path parameter = caller's claim)   ` +
  `${SYMBOLS.denied} not allowed   ${SYMBOLS.public} public   ${PER_ROUTE_MARK} per-route authorizer`;

function perRouteNotes(matrix: AccessMatrix): string[] {
  return matrix.rows
    .filter((row) => row.access === 'route')
    .map((row) => `${PER_ROUTE_MARK} ${row.method} ${row.path}: ${row.reason ?? ''}`);
}

/** Aligned columns; padding is computed on the plain text so colour codes do not skew it. */
export function renderMatrixText(matrix: AccessMatrix, colour = false): string {
  const header = ['route', ...matrix.roles.map((role) => role.name)];
  const rows = matrix.rows.map((row) => [routeText(row), ...row.cells.map(cellText)]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((cells) => [...cells[i]!].length)));
  const gap = (text: string, i: number) => ' '.repeat(widths[i]! - [...text].length);
  const pad = (text: string, i: number) => text + gap(text, i);
  const paint = (text: string, kind: CellKind) => (colour ? `${COLOURS[kind]}${text}${RESET}` : text);
  const lines = [header.map(pad).join('  ').trimEnd()];
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  matrix.rows.forEach((row, r) => {
    const cells = rows[r]!.map((text, i) =>
      // Padding outside the colour codes, so trimming the line end works the same with and without colour.
      i === 0 ? pad(text, i) : paint(text, row.cells[i - 1]!.kind) + gap(text, i),
    );
    lines.push(cells.join('  ').trimEnd());
  });
  const footer = [LEGEND, ...perRouteNotes(matrix)];
  lines.push('', ...footer.map((line) => (colour ? `${DIM}${line}${RESET}` : line)));
  return lines.join('\n');
}

/** `|` and backticks would break a Markdown table cell. */
function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A GitHub-flavoured Markdown table for pull request comments. */
export function renderMatrixMarkdown(matrix: AccessMatrix): string {
  const lines = [
    `| Route | ${matrix.roles.map((role) => escapeMarkdown(role.name)).join(' | ')} |`,
    `| --- | ${matrix.roles.map(() => ':---:').join(' | ')} |`,
    ...matrix.rows.map(
      (row) =>
        `| \`${row.method} ${row.path}\`${row.access === 'route' ? ` ${PER_ROUTE_MARK}` : ''} | ` +
        `${row.cells.map((cell) => escapeMarkdown(cellText(cell))).join(' | ')} |`,
    ),
    '',
    LEGEND,
  ];
  const notes = perRouteNotes(matrix);
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${escapeMarkdown(note)}`));
  return lines.join('\n');
}

/** The command's output for a compiled model. */
export function matrixCommand(model: CompiledModel, options: MatrixCommandOptions = {}): string {
  const matrix = buildAccessMatrix(model);
  return options.markdown === true
    ? renderMatrixMarkdown(matrix)
    : renderMatrixText(matrix, options.colour === true);
}
