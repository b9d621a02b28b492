// The explorer page's script (runs in the browser; the server strips the types with esbuild and serves it).
/// <reference lib="dom" />
import type { AccessDiff } from '../../policies/access-diff';
import type { AccessMatrix, CellKind, MatrixCell, MatrixRow } from '../../policies/access-matrix';
import type { DiffView, ModelView } from './explorer-model';
import type { CallerOutcome, CallerReport } from './try-caller';

const API = 'api/';
const POLL_MS = 700;
const SYMBOL: Record<CellKind, string> = { allowed: '✓', own: '◐', denied: '✗', public: '○' };
const WORD: Record<CellKind, string> = {
  allowed: 'allowed',
  own: 'own only',
  denied: 'not allowed',
  public: 'public',
};

const $ = <T extends HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (element === null) throw new Error(`missing ${selector}`);
  return element;
};

/** Builds an element; children are text (never parsed as HTML) or elements. */
function el(
  tag: string,
  attributes: Record<string, string> = {},
  ...children: (string | Node)[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

let matrix: AccessMatrix | undefined;
let caller: CallerReport | undefined;
/** The user name typed into the log-in form, for the token that log-in returned. */
let callerName: string | undefined;
let token: string | undefined;
let etag: string | undefined;
let selected: { route: number; role: string } | undefined;

function routeLabel(row: MatrixRow): string {
  return `${row.method} ${row.path}`;
}

/** The symbol, then the words, which narrow screens drop (the symbol and the aria-label carry the meaning). */
function cellText(cell: MatrixCell): Node[] {
  if (cell.kind === 'own') {
    const bound = cell.bindings
      .map((b) =>
        Object.entries(b)
          .map(([p, c]) => `${p}=${c}`)
          .join(','),
      )
      .join(' | ');
    return [`${SYMBOL.own} ${bound}`].map((text) => document.createTextNode(text));
  }
  return kindText(cell.kind);
}

function kindText(kind: CellKind): Node[] {
  return [document.createTextNode(SYMBOL[kind]), el('span', { class: 'word' }, ` ${WORD[kind]}`)];
}

/** Who the Caller column is: the name logged in with or carried by the token, else a short id. */
function callerLabel(report: CallerReport): string {
  const id = report.principalId;
  return callerName ?? report.name ?? (id.length > 12 ? `${id.slice(0, 8)}…` : id);
}

function renderMatrix(view: AccessMatrix): void {
  const table = $<HTMLTableElement>('#matrix');
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Route'),
    el('th', { scope: 'col', class: 'access' }, 'Authorizer'),
  );
  for (const role of view.roles) {
    const title = [
      role.description ?? '',
      role.inherits.length > 0 ? `inherits ${role.inherits.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    head.append(el('th', { scope: 'col', title, 'data-role': role.name }, role.name));
  }
  if (caller !== undefined) {
    head.append(
      el(
        'th',
        { scope: 'col', class: 'caller-col', title: `sub ${caller.principalId}` },
        `Caller: ${callerLabel(caller)}`,
      ),
    );
  }
  table.tHead!.replaceChildren(head);
  const body = table.tBodies[0]!;
  body.replaceChildren(
    ...view.rows.map((row) => {
      const tr = el('tr', { 'data-route': routeLabel(row) });
      tr.append(
        el('th', { scope: 'row', class: 'route' }, routeLabel(row) + (row.access === 'route' ? ' †' : '')),
        el(
          'td',
          { class: 'access', title: row.authorizerName ?? 'no authorizer' },
          row.access === 'route' ? 'per-route' : row.access === 'token' ? 'token-cached' : 'none',
          ...(row.authorizerName === undefined ? [] : [el('small', {}, ` ${row.authorizerName}`)]),
        ),
      );
      for (const cell of row.cells) {
        const pressed = selected?.route === row.route && selected.role === cell.role;
        const button = el(
          'button',
          {
            type: 'button',
            class: `cell ${cell.kind}`,
            'data-kind': cell.kind,
            'data-role': cell.role,
            'data-route-id': String(row.route),
            'aria-pressed': String(pressed),
            'aria-label': `${cell.role} on ${routeLabel(row)}: ${WORD[cell.kind]}`,
          },
          ...cellText(cell),
        );
        tr.append(el('td', { class: 'cell-td' }, button));
      }
      const result = caller?.routes.find((r) => r.route === row.route);
      if (result !== undefined) {
        tr.classList.add(
          result.kind === 'allowed' || result.kind === 'public'
            ? 'callable'
            : result.kind === 'own'
              ? 'callable-own'
              : 'not-callable',
        );
        tr.dataset.caller = result.kind;
        const tried = result.tried.map((t) => `${row.method} ${t.path}: ${t.decision}`).join('\n');
        tr.append(
          el(
            'td',
            { class: 'cell-td' },
            el(
              'button',
              {
                type: 'button',
                class: `cell ${result.kind}`,
                'data-caller-kind': result.kind,
                title: tried,
                'aria-label': `this caller on ${routeLabel(row)}: ${WORD[result.kind]}`,
              },
              ...kindText(result.kind),
            ),
          ),
        );
      }
      return tr;
    }),
  );
}

function explain(routeId: number, role: string): void {
  const row = matrix?.rows.find((r) => r.route === routeId);
  const cell = row?.cells.find((c) => c.role === role);
  if (row === undefined || cell === undefined) return;
  selected = { route: routeId, role };
  for (const button of document.querySelectorAll<HTMLButtonElement>('#matrix button[data-role]')) {
    button.setAttribute(
      'aria-pressed',
      String(button.dataset.routeId === String(routeId) && button.dataset.role === role),
    );
  }
  const why = $('#why');
  why.replaceChildren(
    el('h3', {}, `${role} on ${routeLabel(row)}: ${SYMBOL[cell.kind]} ${WORD[cell.kind]}`),
    el('ul', {}, ...cell.why.map((line) => el('li', {}, line)), el('li', {}, row.authorizer)),
    el('p', { class: 'hint' }, `Declared at ${matrix!.file}:${row.line}, function ${row.function}.`),
  );
}

/** Arrow keys move between cell buttons like a grid; Home/End go to the row's ends. */
function onMatrixKey(event: KeyboardEvent): void {
  const target = event.target as HTMLElement;
  if (!(target instanceof HTMLButtonElement)) return;
  const td = target.closest('td');
  const tr = target.closest('tr');
  if (td === null || tr === null) return;
  const rows = [...tr.parentElement!.children] as HTMLTableRowElement[];
  const column = td.cellIndex;
  let next: Element | null | undefined;
  const buttonAt = (row: HTMLTableRowElement | undefined, index: number) =>
    row?.cells[index]?.querySelector('button');
  const rowIndex = rows.indexOf(tr);
  if (event.key === 'ArrowDown') next = buttonAt(rows[rowIndex + 1], column);
  else if (event.key === 'ArrowUp') next = buttonAt(rows[rowIndex - 1], column);
  else if (event.key === 'ArrowRight') next = buttonAt(rows[rowIndex], column + 1);
  else if (event.key === 'ArrowLeft') next = buttonAt(rows[rowIndex], column - 1);
  else if (event.key === 'Home') next = tr.querySelector('button');
  else if (event.key === 'End') next = [...tr.querySelectorAll('button')].pop();
  else return;
  event.preventDefault();
  if (next instanceof HTMLButtonElement) next.focus();
}

function renderDiagnostics(view: Extract<ModelView, { ok: false }>): void {
  $('#diagnostics').hidden = false;
  $('#diagnostic-list').replaceChildren(
    ...view.diagnostics.map((d) =>
      el(
        'li',
        { 'data-line': String(d.line) },
        el('code', {}, `${d.file}:${d.line}:${d.column}`),
        `: ${d.message}`,
      ),
    ),
  );
  // Never a stale picture: the old matrix is hidden while the file is bad.
  $('#matrix-section').hidden = true;
}

async function loadModel(): Promise<void> {
  const response = await fetch(`${API}model`, {
    headers: etag === undefined ? {} : { 'If-None-Match': etag },
  });
  if (response.status === 304) return;
  if (!response.ok) throw new Error(`model: HTTP ${response.status}`);
  etag = response.headers.get('ETag') ?? undefined;
  const view = (await response.json()) as ModelView;
  const time = new Date().toLocaleTimeString();
  if (view.ok) {
    matrix = view.matrix;
    $('#diagnostics').hidden = true;
    $('#matrix-section').hidden = false;
    renderMatrix(view.matrix);
    if (selected !== undefined) explain(selected.route, selected.role);
    $('#status').textContent =
      `Following ${view.file}: ${view.matrix.rows.length} routes, ${view.matrix.roles.length} roles; ` +
      `largest token-cached result ${view.matrix.maxResultBytes} of ${view.budgetBytes} bytes. Updated ${time}.`;
    document.body.dataset.state = 'ok';
  } else {
    renderDiagnostics(view);
    $('#status').textContent = `${view.file} has ${view.diagnostics.length} problem(s). Updated ${time}.`;
    document.body.dataset.state = 'bad';
  }
  document.body.dataset.etag = etag ?? '';
  void loadDiff();
  // The stack reloads the served model a moment after the file changes; ask the authorizer again then.
  if (token !== undefined) setTimeout(() => void tryToken(token!), 400);
}

function renderCaller(report: CallerReport): void {
  const callable = report.routes.filter((r) => r.kind !== 'denied');
  const meter = el('meter', {
    min: '0',
    max: String(report.budgetBytes),
    high: String(report.budgetBytes * 0.8),
    value: String(report.resultBytes),
  });
  $('#caller-result').replaceChildren(
    el(
      'p',
      { id: 'caller-summary' },
      `${callerLabel(report)} (roles: ${report.roles.join(', ') || 'none'}) may call ${callable.length} of ${report.routes.length} routes; see the Caller column above.`,
    ),
    el(
      'p',
      { id: 'policy-size' },
      `Largest token-cached authorizer result: ${report.resultBytes} of ${report.budgetBytes} bytes `,
      meter,
    ),
    ...report.results.flatMap((result, i) => [
      el('h3', {}, `Policy document ${result.authorizer} returns (${result.resultBytes} bytes)`),
      el(
        'pre',
        { ...(i === 0 ? { id: 'policy-document' } : {}), tabindex: '0' },
        JSON.stringify(result.policyDocument, null, 2),
      ),
    ]),
  );
}

async function tryToken(value: string, name?: string): Promise<void> {
  const response = await fetch(`${API}caller`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: value }),
  });
  const outcome = (await response.json()) as CallerOutcome;
  if (!outcome.ok) {
    caller = undefined;
    token = undefined;
    $('#caller-result').replaceChildren(el('p', { class: 'error', role: 'alert' }, outcome.message));
  } else {
    caller = outcome.report;
    // A reload asks again with the same token: keep the name it was logged in with.
    if (value !== token) callerName = name;
    token = value;
    renderCaller(outcome.report);
  }
  if (matrix !== undefined) renderMatrix(matrix);
  document.body.dataset.caller = caller?.principalId ?? '';
}

function formField(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

async function logIn(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const response = await fetch('/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'local',
      username: formField(data, 'username'),
      password: formField(data, 'password'),
    }).toString(),
  });
  const body = (await response.json()) as {
    access_token?: string;
    error_description?: string;
    error?: string;
  };
  if (!response.ok || body.access_token === undefined) {
    $('#caller-result').replaceChildren(
      el(
        'p',
        { class: 'error', role: 'alert' },
        `Log-in failed: ${body.error_description ?? body.error ?? response.status}`,
      ),
    );
    return;
  }
  (form.elements.namedItem('password') as HTMLInputElement).value = '';
  await tryToken(body.access_token, formField(data, 'username'));
}

function renderDiff(view: DiffView): void {
  const target = $('#diff');
  if (!view.available) {
    target.replaceChildren(
      el('p', { class: 'hint' }, `No diff: ${view.reason}.`),
      ...(view.diagnostics ?? []).map((d) =>
        el('p', { class: 'error' }, `${d.file}:${d.line}:${d.column}: ${d.message}`),
      ),
    );
    return;
  }
  const diff: AccessDiff = view.diff;
  const rows = [
    ...diff.routes.map((c) => ({
      kind: c.kind,
      who: 'route',
      change: c.change,
      route: c.route,
      before: c.before ?? '',
      after: c.after ?? '',
    })),
    ...diff.roles.flatMap((role) =>
      role.grants.map((c) => ({
        kind: c.kind,
        who: role.role,
        change: c.change,
        route: c.route,
        before: c.before.join(' or ') || 'none',
        after: c.after.join(' or ') || 'none',
      })),
    ),
  ];
  const status = diff.roles
    .filter((role) => role.status !== undefined)
    .map((role) => `Role ${role.role} ${role.status!}.`);
  if (rows.length === 0 && status.length === 0) {
    target.replaceChildren(el('p', {}, `No access change against ${view.base}.`));
    return;
  }
  const mark = { widen: '⚠ widens', narrow: 'narrows', neutral: '—' };
  target.replaceChildren(
    el(
      'p',
      { class: view.widens ? 'widen' : '' },
      view.widens ? `Access widens against ${view.base}.` : `Access does not widen against ${view.base}.`,
    ),
    ...status.map((line) => el('p', {}, line)),
    el(
      'table',
      { id: 'diff-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['', 'Who', 'Change', 'Route', 'Before', 'After'].map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      el(
        'tbody',
        {},
        ...rows.map((r) =>
          el(
            'tr',
            { 'data-kind': r.kind },
            el('td', { class: r.kind }, mark[r.kind]),
            el('td', {}, r.who),
            el('td', {}, r.change),
            el('td', {}, el('code', {}, r.route)),
            el('td', {}, el('code', {}, r.before)),
            el('td', {}, el('code', {}, r.after)),
          ),
        ),
      ),
    ),
  );
}

async function loadDiff(): Promise<void> {
  const response = await fetch(`${API}diff`);
  renderDiff((await response.json()) as DiffView);
}

function poll(): void {
  loadModel().then(
    () => setTimeout(poll, POLL_MS),
    (error: unknown) => {
      $('#status').textContent = `Cannot reach the local stack (${String(error)}); retrying…`;
      setTimeout(poll, POLL_MS * 3);
    },
  );
}

$('#matrix').addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-role]');
  if (button !== null) explain(Number(button.dataset.routeId), button.dataset.role!);
});
$('#matrix').addEventListener('keydown', onMatrixKey);
$<HTMLFormElement>('#login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void logIn(event.target as HTMLFormElement);
});
$<HTMLFormElement>('#token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const field = (event.target as HTMLFormElement).elements.namedItem('token') as HTMLTextAreaElement;
  void tryToken(field.value.trim().replace(/^Bearer\s+/i, ''));
});
poll();
