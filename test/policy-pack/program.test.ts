// The real program under Pulumi's mock runtime passes every guardrail, and breaking one resource fails it.
import { expect } from 'chai';
import { MAX_AUTHORIZER_TTL_SECONDS } from '../../policies/openapi';
import { publicRoutesOf } from '../../policy-pack/public-routes';
import { checkPermissionsNameThisApi, REST_API, RULES, type RuleContext } from '../../policy-pack/rules';
import { ACCOUNT, API_ID, defaultStack, REGION, type ProgramRun } from '../infra/support';

const context: RuleContext = {
  publicRoutes: publicRoutesOf(),
  maxAuthorizerTtlSeconds: MAX_AUTHORIZER_TTL_SECONDS,
};

function violations(run: ProgramRun): string[] {
  return run.resources.flatMap((resource) =>
    RULES.filter((rule) => rule.types.includes(resource.type)).flatMap((rule) =>
      rule
        .validate(resource.type, resource.inputs, context)
        .map((v) => `${rule.name} ${resource.name}: ${v}`),
    ),
  );
}

describe('the policy pack on the program (index.ts)', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack();
  });

  it('finds no violation on any resource the default stack declares', () => {
    expect(violations(run)).to.deep.equal([]);
  });

  it('finds no violation with every production option on', async () => {
    const full = await defaultStack({
      manageApiGatewayAccount: 'true',
      domainName: 'api.example.com',
      domainCertificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c`,
      alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:oncall`,
      dashboard: 'true',
      tracing: 'true',
      wafAuthRateLimit: '300',
    });
    expect(full.resources.length).to.be.greaterThan(run.resources.length + 10);
    expect(violations(full)).to.deep.equal([]);
  });

  it('applies every rule to at least one resource of the stack', () => {
    for (const rule of RULES) {
      expect(
        run.resources.filter((r) => rule.types.includes(r.type)),
        rule.name,
      ).to.not.be.empty;
    }
  });

  it('finds every Lambda permission naming the stack’s own API', () => {
    // The execution ARN is provider-computed state: what the mock provider answers for the REST API.
    const resources = run.resources.map((r) => ({
      type: r.type,
      props:
        r.type === REST_API
          ? { ...r.inputs, executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}` }
          : r.inputs,
    }));
    // Three route functions, each on its stage and on the console's test-invoke-stage, and the authorizer.
    expect(resources.filter((r) => r.type === 'aws:lambda/permission:Permission')).to.have.length(7);
    expect(checkPermissionsNameThisApi(resources)).to.deep.equal([]);
  });

  it('fails the stack with a stricter TTL bound than its authorizer cache', async () => {
    const longCache = await defaultStack({ authorizerCacheTtl: '900' });
    const strict = { ...context, maxAuthorizerTtlSeconds: 300 };
    const api = longCache.of(REST_API)[0]!;
    const ttlRule = RULES.find((rule) => rule.name === 'authorizer-ttl-bounded')!;
    // scopes.yaml needs one token-cached authorizer and no per-route one.
    expect(ttlRule.validate(REST_API, api.inputs, strict)).to.have.length(1);
  });
});
