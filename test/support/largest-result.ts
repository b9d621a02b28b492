// The largest result the deployed authorizers return for role sets, measured on real authorize() output.
import { authorize, type CompiledModel } from '../../policies';
import { LONGEST_METHOD_ARN_PREFIX } from '../../policies/method-arn';

/** A request path for a route template: every parameter `x`. */
export function samplePath(model: CompiledModel, routeId: number): string {
  return model.routes[routeId]!.segments.map((s) => (s.kind === 'literal' ? s.value : 'x')).join('/');
}

/**
 * The largest result any token-cached authorizer of `model` returns for any of `roleSets`: the longest method
 * ARN prefix, a 128-character sub and the context the authorizer adds (64-character client and token ids).
 */
export function largestResult(model: CompiledModel, roleSets: readonly string[][]): number {
  const sub = 's'.repeat(128);
  let largest = 0;
  for (const group of model.groups) {
    const methodArn = `${LONGEST_METHOD_ARN_PREFIX}${model.routes[group.routes[0]!]!.method}/${samplePath(model, group.routes[0]!)}`;
    for (const roles of roleSets) {
      const result = authorize(model, { principalId: sub, roles, claims: { sub } }, { methodArn });
      result.context = { ...result.context, clientId: 'c'.repeat(64), tokenId: 't'.repeat(64) };
      largest = Math.max(largest, JSON.stringify(result).length);
    }
  }
  return largest;
}
