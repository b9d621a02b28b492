// The largest result the deployed authorizers return for role sets, measured on real authorize() output.
import { authorize, type CacheGroup, type CompiledModel } from '../../policies';
import { LONGEST_METHOD_ARN_PREFIX } from '../../policies/method-arn';

/** A request path for a route template: every parameter `x`. */
export function samplePath(model: CompiledModel, routeId: number): string {
  return model.routes[routeId]!.segments.map((s) => (s.kind === 'literal' ? s.value : 'x')).join('/');
}

/**
 * Bytes of the result `group`'s authorizer returns for `roles` as deployed: the longest method ARN prefix,
 * 128-character `sub` and `org` claims and the context the authorizer adds (64-character client and token ids).
 */
export function resultBytes(model: CompiledModel, group: CacheGroup, roles: readonly string[]): number {
  const sub = 's'.repeat(128);
  const claims = { sub, org: 'o'.repeat(128) };
  const methodArn = `${LONGEST_METHOD_ARN_PREFIX}${model.routes[group.routes[0]!]!.method}/${samplePath(model, group.routes[0]!)}`;
  const result = authorize(model, { principalId: sub, roles: [...roles], claims }, { methodArn });
  result.context = { ...result.context, clientId: 'c'.repeat(64), tokenId: 't'.repeat(64) };
  return JSON.stringify(result).length;
}

/** The largest result any token-cached authorizer of `model` returns for any of `roleSets`. */
export function largestResult(model: CompiledModel, roleSets: readonly string[][]): number {
  let largest = 0;
  for (const group of model.groups)
    for (const roles of roleSets) largest = Math.max(largest, resultBytes(model, group, roles));
  return largest;
}
