// Evaluates an authorizer policy against one request the way IAM does: default deny, explicit Deny wins.

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** The statement shapes an authorizer may return (IAM accepts a string or a list for each element). */
export interface EvaluatedStatement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export interface EvaluatedPolicy {
  Statement?: unknown;
}

const MAX_CACHED_PATTERNS = 10_000;
const patternCache = new Map<string, RegExp>();

/**
 * IAM glob: `*` is any run of characters (including `/`), `?` exactly one; everything else is literal.
 * Actions compare case-insensitively, resources case-sensitively.
 */
function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regExp = patternCache.get(key);
  if (regExp === undefined) {
    const source = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regExp = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (patternCache.size >= MAX_CACHED_PATTERNS) patternCache.clear();
    patternCache.set(key, regExp);
  }
  return regExp;
}

/** Matches one action (`service:Name`) against a pattern such as `execute-api:*` or `*`. */
export function actionMatches(pattern: string, action: string): boolean {
  return globRegExp(pattern, true).test(action);
}

/**
 * Matches an ARN against a resource pattern. `*` alone matches everything; otherwise IAM compares the six
 * colon-separated fields one by one (a wildcard does not cross `:` between fields, but crosses `/` within the last).
 */
export function resourceMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternFields = arnFields(pattern);
  const arnParts = arnFields(arn);
  if (patternFields === undefined || arnParts === undefined) return false;
  return patternFields.every((field, index) => globRegExp(field, false).test(arnParts[index] ?? ''));
}

function arnFields(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function asList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

/** Whether a statement applies to the request; undefined when it is malformed. */
function statementApplies(statement: EvaluatedStatement, action: string, arn: string): boolean | undefined {
  const actions = asList(statement.Action);
  const notActions = asList(statement.NotAction);
  const resources = asList(statement.Resource);
  const notResources = asList(statement.NotResource);
  if ((actions === undefined) === (notActions === undefined)) return undefined;
  if ((resources === undefined) === (notResources === undefined)) return undefined;
  const actionHit = actions
    ? actions.some((pattern) => actionMatches(pattern, action))
    : !notActions!.some((pattern) => actionMatches(pattern, action));
  const resourceHit = resources
    ? resources.some((pattern) => resourceMatches(pattern, arn))
    : !notResources!.some((pattern) => resourceMatches(pattern, arn));
  return actionHit && resourceHit;
}

/**
 * Decides `action` on `arn` under `policy`. A statement with a Condition is not understood here, so it fails
 * closed: as an Allow it grants nothing, as a Deny it applies. A malformed statement denies explicitly.
 *
 * @example evaluatePolicy(result.policyDocument, 'execute-api:Invoke', methodArn) === 'Allowed'
 */
export function evaluatePolicy(policy: EvaluatedPolicy, action: string, arn: string): Decision {
  const statements = Array.isArray(policy.Statement) ? (policy.Statement as unknown[]) : [policy.Statement];
  let allowed = false;
  for (const raw of statements) {
    if (typeof raw !== 'object' || raw === null) return 'ExplicitlyDenied';
    const statement = raw as EvaluatedStatement;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return 'ExplicitlyDenied';
    const applies = statementApplies(statement, action, arn);
    if (applies === undefined) return 'ExplicitlyDenied';
    if (!applies) continue;
    if (statement.Effect === 'Deny') return 'ExplicitlyDenied';
    if (statement.Condition === undefined) allowed = true;
  }
  return allowed ? 'Allowed' : 'ImplicitlyDenied';
}
