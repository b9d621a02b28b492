// The authorizer core shared by the TOKEN and REQUEST entry points: bearer -> verify -> state -> policy.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
// Only the evaluator: importing policies/index would bundle the YAML parser and the schema validator.
import { authorize } from '../../policies/authorize';
import type { AuthorizeRequest, AuthorizerResult, CompiledModel } from '../../policies/model';
import { findAuthorization, parseBearer } from './bearer';
import { contextId, isBoundedSubject } from './claim-limits';
import { DependencyError, unauthorized } from './errors';
import type { DecisionFields, DecisionLogger } from './logger';
import { createJsonLogger } from './logger';
import { clientOf } from './providers/provider';
import { readRoles, stillHeldRoles } from './roles';
import { TokenCache } from './token-cache';
import { checkTokenState } from './token-state';
import type { IssuerConfig, TrustedIssuer, VerifiedPayload } from './verify-token';
import { createTokenVerifier } from './verify-token';

export type { IssuerConfig } from './verify-token';

export interface AuthorizerOptions {
  model: CompiledModel;
  issuers: IssuerConfig[];
  /** The token table; required when an issuer has `checkState`. */
  tableName?: string;
  documents?: DynamoDBDocumentClient;
  /** Epoch milliseconds (default `Date.now`). */
  now?: () => number;
  logger?: DecisionLogger;
  /** Verified tokens kept in memory (default 1000; 0 disables the cache). */
  cacheSize?: number;
  /** JWKS fetch timeout, ms. */
  jwksTimeoutMs?: number;
  /** Minimum time between two JWKS fetches of one provider, ms (an unknown `kid` waits for the next one). */
  jwksCooldownMs?: number;
}

export interface Authorizer {
  handleToken(event: APIGatewayTokenAuthorizerEvent): Promise<AuthorizerResult>;
  handleRequest(event: APIGatewayRequestAuthorizerEvent): Promise<AuthorizerResult>;
  /** Hit and miss counts of the verified-token cache. */
  readonly cacheStats: { hits: number; misses: number; size: number };
}

interface Verified {
  payload: VerifiedPayload;
  issuer: TrustedIssuer;
  roles: string[];
}

/** Thrown inside `decide` to end with a 401 and a reason code for the log; never leaves this module. */
class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Creates the authorizer. A bad token rejects with exactly `Error('Unauthorized')` (API Gateway answers 401); a
 * valid token gets `authorize`'s policy, which may deny (403); a JWKS or DynamoDB outage rejects with another
 * error (500), so clients keep their token and retry.
 *
 * @example
 * const authorizer = createAuthorizer({ model, issuers: [{ issuer, audience, jwksUri, algorithms: ['RS256'] }] });
 * export const tokenHandler = (event) => authorizer.handleToken(event);
 */
export function createAuthorizer(options: AuthorizerOptions): Authorizer {
  const { model, tableName, documents } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createJsonLogger();
  if (
    options.issuers.some((issuer) => issuer.checkState === true) &&
    (!tableName || documents === undefined)
  ) {
    throw new TypeError('An issuer has "checkState" but no "tableName" and "documents" were given');
  }
  const verifyToken = createTokenVerifier(options.issuers, {
    now,
    jwksTimeoutMs: options.jwksTimeoutMs,
    jwksCooldownMs: options.jwksCooldownMs,
  });
  const knownRoles = new Set(model.roles.map((role) => role.name));
  const inherits = new Map(model.roles.map((role) => [role.name, role.inherits]));
  const cache = new TokenCache<Verified>(options.cacheSize ?? 1000);

  async function verified(token: string, nowMs: number): Promise<Verified & { cached: boolean }> {
    const hit = cache.get(token, nowMs);
    if (hit !== undefined) return { ...hit, cached: true };
    const result = await verifyToken(token);
    if (!result.ok) throw new Refusal(result.code);
    const { payload, issuer } = result;
    const entry = { payload, issuer, roles: readRoles(payload, issuer, knownRoles) };
    // Strictly before `exp`: the cache never extends a token's life by the verifier's clock tolerance.
    cache.set(token, entry, payload.exp * 1000);
    return { ...entry, cached: false };
  }

  async function decide(
    header: string | undefined | null,
    request: AuthorizeRequest,
    event: DecisionFields['event'],
  ): Promise<AuthorizerResult> {
    const started = performance.now();
    const fields: Omit<DecisionFields, 'decision' | 'reason' | 'latencyMs'> = { event };
    const finish = (decision: DecisionFields['decision'], reason: string) => {
      const line = {
        ...fields,
        decision,
        reason,
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      };
      if (decision === 'error') logger.error('authorizer decision', line);
      else logger.info('authorizer decision', line);
    };
    try {
      if (header === null) throw new Refusal('MULTIPLE_TOKENS');
      const bearer = parseBearer(header);
      if ('reason' in bearer) throw new Refusal(bearer.reason);
      const nowMs = now();
      const { payload, issuer, roles: tokenRoles, cached } = await verified(bearer.token, nowMs);
      // The result carries `sub` twice; the 8 KB budget holds only for a bounded one.
      if (!isBoundedSubject(payload.sub)) throw new Refusal('SUB_TOO_LONG');
      Object.assign(fields, { principal: payload.sub, issuer: issuer.issuer, cached });
      let roles = tokenRoles;
      if (issuer.checkState === true) {
        const state = await checkTokenState(documents!, tableName!, payload, Math.floor(nowMs / 1000));
        if (state.verdict !== 'OK') throw new Refusal(state.verdict);
        // A role taken away counts from the next authorizer call (a cache miss), not from the token expiry.
        roles = stillHeldRoles(tokenRoles, state.heldRoles, inherits);
      }
      const result = authorize(model, { principalId: payload.sub, roles, claims: payload }, request);
      // authorize() already put `sub` and the known roles in the context; add what handlers need besides.
      result.context = {
        ...result.context,
        clientId: contextId(clientOf(payload, issuer.rules.clientClaims)),
        tokenId: contextId(payload.jti),
      };
      const allows = result.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
      finish(allows ? 'allow' : 'deny', 'OK');
      return result;
    } catch (error) {
      if (error instanceof Refusal) {
        finish('unauthorized', error.reason);
        throw unauthorized();
      }
      finish('error', error instanceof DependencyError ? error.code : 'INTERNAL');
      throw error instanceof Error && error.message === 'Unauthorized' ? new Error('Internal error') : error;
    }
  }

  return {
    handleToken: (event) => decide(event.authorizationToken, { methodArn: event.methodArn }, 'token'),
    handleRequest: (event) =>
      decide(
        findAuthorization(event.headers, event.multiValueHeaders),
        { methodArn: event.methodArn, resourcePath: event.resource, httpMethod: event.httpMethod },
        'request',
      ),
    get cacheStats() {
      return { hits: cache.hits, misses: cache.misses, size: cache.size };
    },
  };
}
