// Runs a route's Lambda authorizer as API Gateway does: identity source check, cache, then IAM evaluation.
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { Access } from '../policies/model';
import type { AuthorizerCache } from './authorizer-cache';
import { acceptAuthorizerResult, type AcceptedResult } from './authorizer-result';
import type { GatewayError } from './gateway-responses';
import { evaluatePolicy, type Decision } from './iam-evaluate';
import { TOKEN_HEADER_PATTERN } from '../policies/openapi';

/** The authorizer's two entry points (functions/authorizer's `createAuthorizer` result fits). */
export interface LocalAuthorizer {
  handleToken(event: APIGatewayTokenAuthorizerEvent): Promise<unknown>;
  handleRequest(event: APIGatewayRequestAuthorizerEvent): Promise<unknown>;
}

export type CacheOutcome = 'hit' | 'miss' | 'none';

export type AuthorizerOutcome =
  | { allowed: true; cache: CacheOutcome; context: Record<string, string> }
  | { allowed: false; cache: CacheOutcome; error: GatewayError; detail?: string };

export interface AuthorizeArgs {
  access: Access;
  /** The API Gateway authorizer deciding the route: each one keeps its own cache. */
  authorizerName: string;
  authorizer: LocalAuthorizer;
  cache: AuthorizerCache<AcceptedResult>;
  /** The Authorization header, the identity source of both authorizers. */
  authorization: string | undefined;
  methodArn: string;
  httpMethod: string;
  resourcePath: string;
  /** Builds the REQUEST event lazily: only a cache miss of the per-route authorizer needs it. */
  requestEvent: () => APIGatewayRequestAuthorizerEvent;
}

/** The deployed token authorizer's identityValidationExpression: other headers get 401 unasked. */
const TOKEN_HEADER = new RegExp(TOKEN_HEADER_PATTERN);

/** True for the one error that means "bad token": the Lambda failed with exactly `Unauthorized`. */
function isUnauthorized(error: unknown): boolean {
  return (error instanceof Error ? error.message : error) === 'Unauthorized';
}

/**
 * Decides a request on a protected route. Each authorizer has its own cache, keyed by the token for a
 * token-cached authorizer, and by token, method and resource path for the per-route one; a cached policy is
 * evaluated again against this request's ARN, which is how one token's policy can allow route A and deny route B.
 */
export async function authorizeRoute(args: AuthorizeArgs): Promise<AuthorizerOutcome> {
  const { authorization } = args;
  // API Gateway refuses a request without the identity source before calling the authorizer.
  if (authorization === undefined || authorization.trim() === '') {
    return { allowed: false, cache: 'none', error: 'unauthorized', detail: 'no Authorization header' };
  }
  const identity =
    args.access === 'token' ? authorization : `${authorization}\n${args.httpMethod}\n${args.resourcePath}`;
  const key = `${args.authorizerName}\n${identity}`;
  let result = args.cache.get(key);
  const cache: CacheOutcome = result === undefined ? 'miss' : 'hit';
  if (result === undefined) {
    // Checked on a miss only: a cached key has passed the same check before.
    if (args.access === 'token' && !TOKEN_HEADER.test(authorization)) {
      return {
        allowed: false,
        cache: 'none',
        error: 'unauthorized',
        detail: 'malformed Authorization header',
      };
    }
    let answer: unknown;
    try {
      answer =
        args.access === 'token'
          ? await args.authorizer.handleToken({
              type: 'TOKEN',
              authorizationToken: authorization,
              methodArn: args.methodArn,
            })
          : await args.authorizer.handleRequest(args.requestEvent());
    } catch (error) {
      if (isUnauthorized(error)) return { allowed: false, cache, error: 'unauthorized' };
      return { allowed: false, cache, error: 'authorizerFailure', detail: describe(error) };
    }
    const accepted = acceptAuthorizerResult(answer);
    if ('malformed' in accepted) {
      return { allowed: false, cache, error: 'authorizerFailure', detail: accepted.malformed };
    }
    result = accepted;
    args.cache.set(key, result);
  }
  const decision = decide(result, args.methodArn);
  if (decision === 'ExplicitlyDenied')
    return { allowed: false, cache, error: 'explicitDeny', detail: 'explicit deny' };
  if (decision === 'ImplicitlyDenied')
    return { allowed: false, cache, error: 'accessDenied', detail: 'no allow' };
  return { allowed: true, cache, context: { ...result.context, principalId: result.principalId } };
}

/** A cached policy never changes, so its decision for an ARN can be remembered (bounded, per cache entry). */
const decisions = new WeakMap<AcceptedResult, Map<string, Decision>>();
const MAX_DECISIONS_PER_ENTRY = 256;

function decide(result: AcceptedResult, methodArn: string): Decision {
  let known = decisions.get(result);
  if (known === undefined) decisions.set(result, (known = new Map<string, Decision>()));
  let decision = known.get(methodArn);
  if (decision === undefined) {
    decision = evaluatePolicy(result.policyDocument, 'execute-api:Invoke', methodArn);
    if (known.size < MAX_DECISIONS_PER_ENTRY) known.set(methodArn, decision);
  }
  return decision;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
