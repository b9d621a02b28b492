// The commands of `npm run scopes` and their options: one list for the parser, `--help` and the README.

/** Every option any command takes (node:util parseArgs form). */
export const OPTIONS = {
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  role: { type: 'string', multiple: true },
  sub: { type: 'string' },
  claim: { type: 'string', multiple: true },
  'method-arn': { type: 'string' },
  route: { type: 'string' },
  ttl: { type: 'string' },
  cors: { type: 'string', multiple: true },
  base: { type: 'string' },
  'fail-on-widen': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CommandHelp {
  /** The command and its options, as typed after `npm run scopes --`. */
  usage: string;
  does: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  {
    usage: 'check [file]',
    does:
      'compile the file; list its authorizers, the per-route routes and why, and API Gateway quotas; exit 1 with ' +
      '`file:line:col: message` diagnostics, ' +
      'a declared route its function does not serve included (a served route nobody declares is a warning)',
  },
  {
    usage: 'routes [--json] [file]',
    does: 'every route with its function, access (`public`, `token`, `route`) and deciding authorizer',
  },
  {
    usage:
      'policy --role R [--role R2] [--sub ID] [--claim name=value] [--method-arn ARN] [--route "METHOD /path"] [file]',
    does:
      'the exact result the deployed authorizer returns for such a caller: with `--route`, from the authorizer ' +
      'that decides that route (none for a public one; an undeclared route is refused); `--method-arn` names ' +
      'the API and stage (without either, asked as on the first token-cached route)',
  },
  {
    usage: 'openapi [--ttl S] [--cors ORIGIN] [file]',
    does:
      'the OpenAPI document the Pulumi program deploys, with placeholder Lambda ARNs; `--ttl` the authorizer ' +
      'cache seconds (0-3600, default 300), `--cors` an allowed origin (repeatable, default `*`)',
  },
  {
    usage: 'matrix [--markdown] [file]',
    does: 'routes by roles: who may call what (colours on a terminal unless `NO_COLOR`; `--markdown` for GitHub)',
  },
  {
    usage: 'diff --base REF|FILE [--json] [--fail-on-widen] [file]',
    does:
      'who gains and loses which route against the base (a git ref such as `origin/main`, or a file); ' +
      '`--fail-on-widen` exits 1 when any access widens',
  },
];

/** Wraps words to `width` columns. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** `--help`: each command's usage, then what it does, indented. */
export function usageText(): string {
  const commands = COMMANDS.flatMap(({ usage, does }) => [
    `  ${usage}`,
    ...wrap(does.replace(/`/g, ''), 100).map((line) => `      ${line}`),
  ]);
  return [
    'Usage: npm run scopes -- <command> [options] [file]',
    '',
    'Commands:',
    ...commands,
    '',
    'file defaults to scopes.yaml at the repository root.',
  ].join('\n');
}
