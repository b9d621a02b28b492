import { runSimulation } from '@cloud-copilot/iam-simulate';
import { expect } from 'chai';
import fc from 'fast-check';
import { actionMatches, evaluatePolicy, resourceMatches } from '../../local/iam-evaluate';

const PREFIX = 'arn:aws:execute-api:local:000000000000:local/local/';
const allow = (...Resource: string[]) => ({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource });
const deny = (...Resource: string[]) => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource });

describe('evaluatePolicy', () => {
  it('lets * cross / in the resource path', () => {
    expect(resourceMatches(`${PREFIX}GET/users/*`, `${PREFIX}GET/users/42/keys`)).to.equal(true);
    expect(resourceMatches(`${PREFIX}*/users`, `${PREFIX}GET/users`)).to.equal(true);
  });

  it('lets ? match exactly one character', () => {
    expect(resourceMatches(`${PREFIX}GET/users/?`, `${PREFIX}GET/users/4`)).to.equal(true);
    expect(resourceMatches(`${PREFIX}GET/users/?`, `${PREFIX}GET/users/42`)).to.equal(false);
    expect(resourceMatches(`${PREFIX}GET/users/?`, `${PREFIX}GET/users/`)).to.equal(false);
  });

  it('compares resources case-sensitively and actions case-insensitively', () => {
    expect(resourceMatches(`${PREFIX}GET/Users`, `${PREFIX}GET/users`)).to.equal(false);
    expect(actionMatches('Execute-API:invoke', 'execute-api:Invoke')).to.equal(true);
    expect(actionMatches('execute-api:*', 'execute-api:Invoke')).to.equal(true);
    expect(actionMatches('s3:*', 'execute-api:Invoke')).to.equal(false);
  });

  it('treats regular expression characters in a pattern literally', () => {
    expect(resourceMatches(`${PREFIX}GET/a.c`, `${PREFIX}GET/abc`)).to.equal(false);
    expect(resourceMatches(`${PREFIX}GET/(a)+`, `${PREFIX}GET/(a)+`)).to.equal(true);
  });

  it('does not let a wildcard in one ARN field cross into the next', () => {
    expect(resourceMatches('arn:aws:execute-api:*', `${PREFIX}GET/users`)).to.equal(false);
    expect(resourceMatches('arn:aws:execute-api:*:*:*', `${PREFIX}GET/users`)).to.equal(true);
    expect(resourceMatches('*', `${PREFIX}GET/users`)).to.equal(true);
  });

  it('denies by default', () => {
    expect(evaluatePolicy({ Statement: [] }, 'execute-api:Invoke', `${PREFIX}GET/users`)).to.equal(
      'ImplicitlyDenied',
    );
    expect(
      evaluatePolicy(
        { Statement: [allow(`${PREFIX}GET/messages`)] },
        'execute-api:Invoke',
        `${PREFIX}GET/users`,
      ),
    ).to.equal('ImplicitlyDenied');
  });

  it('lets an explicit Deny win over any Allow, whatever the order', () => {
    const arn = `${PREFIX}GET/users/42`;
    expect(
      evaluatePolicy(
        { Statement: [allow(`${PREFIX}*`), deny(`${PREFIX}GET/users/4?`)] },
        'execute-api:Invoke',
        arn,
      ),
    ).to.equal('ExplicitlyDenied');
    expect(
      evaluatePolicy(
        { Statement: [deny(`${PREFIX}GET/users/4?`), allow(`${PREFIX}*`)] },
        'execute-api:Invoke',
        arn,
      ),
    ).to.equal('ExplicitlyDenied');
    expect(
      evaluatePolicy(
        { Statement: [allow(`${PREFIX}*`), deny(`${PREFIX}GET/users/5?`)] },
        'execute-api:Invoke',
        arn,
      ),
    ).to.equal('Allowed');
  });

  it('accepts a single statement object and string elements', () => {
    const policy = { Statement: { Effect: 'Allow', Action: 'execute-api:*', Resource: `${PREFIX}GET/*` } };
    expect(evaluatePolicy(policy, 'execute-api:Invoke', `${PREFIX}GET/x`)).to.equal('Allowed');
  });

  it('fails closed on a statement with a Condition', () => {
    const conditional = { ...allow(`${PREFIX}*`), Condition: { Bool: { 'aws:SecureTransport': 'true' } } };
    expect(evaluatePolicy({ Statement: [conditional] }, 'execute-api:Invoke', `${PREFIX}GET/x`)).to.equal(
      'ImplicitlyDenied',
    );
  });

  it('agrees with @cloud-copilot/iam-simulate on random policies', async function () {
    this.timeout(30_000);
    const segment = fc.constantFrom('users', 'messages', '42', '4', 'a', 'keys', 'roles');
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE');
    const arn = fc.tuple(method, path).map(([m, p]) => `${PREFIX}${m}/${p}`);
    // A pattern is a real ARN with a few characters of the stage, method or path replaced by wildcards, so that
    // it matches often enough. (iam-simulate resolves the API id before matching, so wildcards stay out of it.)
    const pattern = fc
      .tuple(arn, fc.array(fc.tuple(fc.nat(200), fc.nat(4), fc.constantFrom('*', '?')), { maxLength: 3 }))
      .map(([base, edits]) => {
        let text = base;
        for (const [at, length, wildcard] of edits) {
          const start = PREFIX.length - 6 + (at % (text.length - PREFIX.length + 6));
          text = text.slice(0, start) + wildcard + text.slice(start + (wildcard === '?' ? 1 : length));
        }
        return text;
      });
    const statement = fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Action: fc.constantFrom(
        'execute-api:Invoke',
        'execute-api:*',
        '*',
        'execute-api:Inv?ke',
        'execute-api:ManageConnections',
      ),
      Resource: fc.array(
        fc.oneof({ weight: 9, arbitrary: pattern }, { weight: 1, arbitrary: fc.constant('*') }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    });
    const cases = fc.sample(fc.tuple(fc.array(statement, { minLength: 1, maxLength: 4 }), arn), {
      numRuns: 300,
      seed: 42,
    });
    const seen = new Set<string>();
    for (const [Statement, request] of cases) {
      const simulated = await runSimulation(
        {
          identityPolicies: [{ name: 'authorizer', policy: { Version: '2012-10-17', Statement } }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: {
            action: 'execute-api:Invoke',
            principal: 'arn:aws:iam::000000000000:user/caller',
            resource: { accountId: '000000000000', resource: request },
            contextVariables: {},
          },
        },
        {},
      );
      if (simulated.resultType === 'error')
        throw new Error(JSON.stringify({ e: simulated.errors, Statement, request }));
      const ours = evaluatePolicy({ Statement }, 'execute-api:Invoke', request);
      expect(ours, JSON.stringify({ Statement, request })).to.equal(simulated.overallResult);
      seen.add(ours);
    }
    // The sample must exercise every outcome, or the comparison proves little.
    expect([...seen].sort()).to.deep.equal(['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']);
  });
});
