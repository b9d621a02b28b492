// `npm run scopes -- <command>`: check scopes.yaml, list its routes, print the policy a caller would get.
import { parseArgs } from 'node:util';
import { formatDiagnostic, ScopesError, type CompiledModel } from '../policies';
import { toOpenApi } from '../policies/openapi';
import { matrixCommand, useColour } from './access-matrix-command';
import { runDiffCommand } from './access-diff-command';
import { policyCommand, PolicyCommandError } from './policy-command';
import { OPTIONS, usageText } from './scopes-commands';
import { loadScopes, routeCoverageOf } from './scopes-file';

const USAGE = usageText();

function check(model: CompiledModel, served: boolean): string {
  const count = (access: string): number => model.routes.filter((r) => r.access === access).length;
  const authorizers = model.groups.length + (model.routeAuthorizer === undefined ? 0 : 1);
  const lines = [
    `${model.file}: ${served ? 'ok' : 'compiles, but a function does not serve its route'} — ${model.routes.length} routes (${count('public')} public, ${count('token')} token-cached, ` +
      `${count('route')} per-route), ${model.roles.length} roles; largest token-cached result ${model.maxResultBytes} of 8192 bytes`,
    `  authorizers: ${authorizers} of ${model.quotas.authorizers}; ${model.grouping}`,
  ];
  for (const g of model.groups) {
    lines.push(
      `  ${g.name}: ${g.routes.length} routes under ${g.paths.join(', ')}; ${g.roles.length} roles; ` +
        `largest result ${g.maxResultBytes} of 8192 bytes`,
    );
  }
  for (const r of model.routes.filter((r) => r.access === 'route')) {
    lines.push(`  per-route: ${r.method} ${r.path}: ${r.reason ?? ''}`);
  }
  lines.push(`  API Gateway resources: ${model.apiResources} of ${model.quotas.resources}`);
  for (const warning of model.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

function routes(model: CompiledModel, json: boolean): string {
  const rows = model.routes.map(({ method, path, function: fn, access, authorizer, reason }) => ({
    method,
    path,
    function: fn,
    access,
    ...(authorizer ? { authorizer } : {}),
    ...(reason ? { reason } : {}),
  }));
  if (json) return JSON.stringify(rows, null, 2);
  const width = Math.max(...rows.map((r) => `${r.method} ${r.path}`.length));
  return rows
    .map((r) =>
      `${`${r.method} ${r.path}`.padEnd(width)}  ${r.function.padEnd(12)} ${r.access.padEnd(6)} ${r.authorizer ?? ''}`.trimEnd(),
    )
    .join('\n');
}

function policy(
  model: CompiledModel,
  values: Record<string, string | string[] | boolean | undefined>,
): string {
  const sub = (values.sub as string | undefined) ?? 'caller';
  const claims: Record<string, unknown> = {};
  for (const pair of (values.claim as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--claim expects name=value, got "${pair}"`);
    claims[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const route = values.route as string | undefined;
  const methodArn = values['method-arn'] as string | undefined;
  const answer = policyCommand(model, {
    roles: (values.role as string[] | undefined) ?? [],
    sub,
    claims,
    ...(methodArn === undefined ? {} : { methodArn }),
    ...(route === undefined ? {} : { route }),
  });
  console.error(answer.note);
  return answer.result ?? '';
}

/** The deployed document, with `${...}` placeholders where the program puts real Lambda invoke ARNs. */
function openapi(
  model: CompiledModel,
  values: Record<string, string | string[] | boolean | undefined>,
): string {
  const invokeArn = (fn: string) =>
    `arn:aws:apigateway:\${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:\${region}:\${account}:function:\${prefix}-${fn}/invocations`;
  const ttl = Number((values.ttl as string | undefined) ?? '300');
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) {
    throw new UsageError(`--ttl expects whole seconds from 0 to 3600, got "${String(values.ttl)}"`);
  }
  const functions = [...new Set(model.routes.map((r) => r.function))];
  const document = toOpenApi(model, {
    title: 'scopegate',
    functionInvokeArns: Object.fromEntries(functions.map((fn) => [fn, invokeArn(fn)])),
    tokenAuthorizerInvokeArn: invokeArn('authorizer'),
    routeAuthorizerInvokeArn: invokeArn('authorizer'),
    authorizerTtlSeconds: ttl,
    corsOrigins: (values.cors as string[] | undefined) ?? ['*'],
  });
  return JSON.stringify(document, null, 2);
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: OPTIONS,
  });
  const [command, file, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]!}"`);
  const loaded = loadScopes(file);
  const { model } = loaded;
  switch (command) {
    case 'check': {
      const coverage = routeCoverageOf(loaded);
      for (const warning of coverage.warnings) {
        console.error(formatDiagnostic({ ...warning, message: `warning: ${warning.message}` }));
      }
      console.log(check(model, coverage.errors.length === 0));
      // The model compiles; routes that would answer 404 still fail the check.
      if (coverage.errors.length > 0) throw new ScopesError(coverage.errors);
      return 0;
    }
    case 'routes':
      console.log(routes(model, values.json === true));
      return 0;
    case 'policy': {
      const result = policy(model, values);
      if (result !== '') console.log(result);
      return 0;
    }
    case 'openapi':
      console.log(openapi(model, values));
      return 0;
    case 'diff':
      if (values.base === undefined) throw new UsageError('diff expects --base <git-ref or file>');
      return runDiffCommand(model, {
        base: values.base,
        file,
        json: values.json === true,
        failOnWiden: values['fail-on-widen'] === true,
      });
    case 'matrix':
      console.log(
        matrixCommand(model, {
          markdown: values.markdown === true,
          colour: useColour(process.stdout, process.env),
        }),
      );
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ScopesError || error instanceof PolicyCommandError) {
    console.error(error.message);
    process.exitCode = 1;
  } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if ((error as { code?: string }).code === 'ENOENT') {
    console.error((error as Error).message);
    process.exitCode = 1;
  } else throw error;
}
