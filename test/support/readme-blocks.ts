// The README's generated blocks, each between `<!-- generated: NAME -->` and `<!-- end: NAME -->`, built from
// the shipped files. `npm run readme` rewrites them; test/readme.test.ts fails when one is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { USAGE as ADMIN_USAGE } from '../../cli/admin';
import { matrixCommand } from '../../cli/access-matrix-command';
import { COMMANDS } from '../../cli/scopes-commands';
import { loadScopes } from '../../cli/scopes-file';

export const ROOT = join(__dirname, '../..');
export const README = join(ROOT, 'README.md');

export interface SampleRequest {
  route: string;
  request: string;
  answer: string;
  /** Sent by the test to a running local stack as the admin; `{messageId}` is a message it posted. */
  example: { query?: Record<string, string>; body?: unknown; status: number };
}

/** The sample API's routes: what to send and what comes back. Every example is sent by test/readme.test.ts. */
export const SAMPLE_API: readonly SampleRequest[] = [
  {
    route: 'GET /messages',
    request: 'query `limit` (1-100, default 20), `cursor` (from the previous page)',
    answer: '`200 {"messages": [{"messageId", "text", "authorSub", "createdAt"}], "cursor"?}`, newest first',
    example: { query: { limit: '5' }, status: 200 },
  },
  {
    route: 'POST /messages',
    request: '`{"text": "hello"}` (1 to 1000 characters)',
    answer: '`201` the message',
    example: { body: { text: 'hello' }, status: 201 },
  },
  {
    route: 'DELETE /messages/{messageId}',
    request: '',
    answer: '`204`; `404` when there is no such message',
    example: { status: 204 },
  },
  {
    route: 'GET /users',
    request: 'query `limit` (1-100, default 20), `cursor` (from the previous page)',
    answer:
      '`200 {"users": [{"sub", "username", "roles", "disabled", "createdAt"}], "cursor"?}` by name; ' +
      'a page is never empty while more users exist',
    example: { query: { limit: '1' }, status: 200 },
  },
  {
    route: 'GET /users/{userId}',
    request: '',
    answer: '`200` the profile (never the password hash); `404` when there is no such user',
    example: { status: 200 },
  },
  {
    route: 'PUT /users/{userId}/roles',
    request: '`{"roles": ["User", "Admin"]}` (roles `scopes.yaml` declares)',
    answer: '`200` the profile; tokens already issued keep their roles until they expire',
    example: { body: { roles: ['User', 'Admin'] }, status: 200 },
  },
];

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const table = (header: string[], rows: string[][]): string =>
  [header, header.map(() => '---'), ...rows].map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n');

/** Each block's content, from the files as they are now. */
export function readmeBlocks(): Record<string, string> {
  const { model } = loadScopes();
  return {
    'scopes.yaml': `\`\`\`yaml\n${readFileSync(join(ROOT, 'scopes.yaml'), 'utf8').trimEnd()}\n\`\`\``,
    matrix: `\`\`\`\n${matrixCommand(model, { markdown: false, colour: false })}\n\`\`\``,
    commands: table(
      ['command', 'what it does'],
      [
        ...COMMANDS.map(({ usage, does }) => [`\`npm run scopes -- ${usage}\``, does]),
        [
          '`npm run admin -- …`',
          'users and clients in a local or deployed table (see [Token service](#token-service))',
        ],
        ['`npm run bench`', 'benchmarks (see [Performance](#performance))'],
        ['`npm run readme`', "rewrites this README's generated examples from the shipped files"],
      ],
    ),
    'admin usage': `\`\`\`\n${ADMIN_USAGE}\n\`\`\``,
    'sample api': table(
      ['route', 'send', 'answer'],
      SAMPLE_API.map(({ route, request, answer }) => [`\`${route}\``, request, answer]),
    ),
  };
}

const marker = (name: string): RegExp => {
  const escaped = name.replace(/\./g, '\\.');
  return new RegExp(`(<!-- generated: ${escaped} -->)[\\s\\S]*?(<!-- end: ${escaped} -->)`);
};

/** The README with every block regenerated and the whole file formatted as `npm run format` does. */
export async function renderReadme(text: string): Promise<string> {
  let out = text;
  for (const [name, content] of Object.entries(readmeBlocks())) {
    if (!marker(name).test(out)) throw new Error(`README.md has no block "${name}"`);
    out = out.replace(marker(name), (_, open: string, close: string) => `${open}\n${content}\n${close}`);
  }
  const options = (await prettier.resolveConfig(README)) ?? {};
  return prettier.format(out, { ...options, filepath: README });
}

/** The text of one block in a README. */
export function blockOf(text: string, name: string): string | undefined {
  return marker(name).exec(text)?.[0];
}

if (require.main === module) {
  void renderReadme(readFileSync(README, 'utf8')).then((text) => writeFileSync(README, text));
}
