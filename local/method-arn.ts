// The method ARN API Gateway hands a Lambda authorizer: the stage, the HTTP method and the request's real path.

export interface ApiIdentity {
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
}

/** The identity of the local API: a fixed region, account and id so ARNs are stable across runs. */
export const LOCAL_API: ApiIdentity = {
  region: 'local',
  accountId: '000000000000',
  apiId: 'local',
  stage: 'local',
};

/**
 * Builds `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>` with the path as requested
 * (parameter values, not the template), without its leading slash.
 *
 * @example methodArn(LOCAL_API, 'GET', '/users/42') === 'arn:aws:execute-api:local:000000000000:local/local/GET/users/42'
 */
export function methodArn(api: ApiIdentity, method: string, path: string): string {
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${method}/${path.replace(/^\//, '')}`;
}
