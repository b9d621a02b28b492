// Evaluates an authorizer policy for one execute-api ARN the way IAM does, with @cloud-copilot/iam-simulate.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../../policies/model';

export type Outcome = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** Memoized: the same policy and ARN are asked many times by the cache scenarios. */
const memo = new Map<string, Outcome>();

export async function evaluate(policy: PolicyDocument, arn: string): Promise<Outcome> {
  const key = `${JSON.stringify(policy)} ${arn}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const response = await runSimulation(
    {
      request: {
        principal: 'arn:aws:iam::123456789012:user/caller',
        action: 'execute-api:Invoke',
        resource: { resource: arn, accountId: '123456789012' },
        contextVariables: {},
      },
      identityPolicies: [{ name: 'authorizer', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(response)}`);
  const outcome = response.overallResult;
  memo.set(key, outcome);
  return outcome;
}
