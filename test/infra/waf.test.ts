import { expect } from 'chai';
import { authPathPattern } from '../../infra/waf';
import { defaultStack, named, type ProgramRun } from './support';

describe('authPathPattern', () => {
  const pattern = new RegExp(authPathPattern('v1'));
  it('matches /auth/* on the execute-api URL (with the stage) and at the root of a custom domain', () => {
    for (const path of ['/v1/auth/token', '/v1/auth/signup', '/auth/token', '/auth/revoke']) {
      expect(pattern.test(path), path).to.equal(true);
    }
  });

  it('matches nothing else', () => {
    for (const path of [
      '/messages',
      '/v1/messages',
      '/v1/authx/token',
      '/v2/auth/token',
      '/x/v1/auth/token',
    ]) {
      expect(pattern.test(path), path).to.equal(false);
    }
  });
});

describe('the WAF web ACL (webAcl) in the program', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack({ wafAuthRateLimit: '300' });
  });

  it('blocks an IP address that sends more than the limit to /auth/* in 5 minutes, and allows the rest', () => {
    const acl = named(run, 'aws:wafv2/webAcl:WebAcl', 'api').inputs;
    expect(acl).to.deep.include({ name: 'scopegate-test', scope: 'REGIONAL', defaultAction: { allow: {} } });
    expect(acl.rules).to.deep.equal([
      {
        name: 'auth-rate-limit',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: 300,
            aggregateKeyType: 'IP',
            evaluationWindowSec: 300,
            scopeDownStatement: {
              regexMatchStatement: {
                regexString: '^(/v1)?/auth/',
                fieldToMatch: { uriPath: {} },
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          },
        },
        visibilityConfig: {
          cloudwatchMetricsEnabled: true,
          metricName: 'scopegate-test-auth-rate-limit',
          sampledRequestsEnabled: true,
        },
      },
    ]);
  });

  it('is associated with the stage', () => {
    expect(named(run, 'aws:wafv2/webAclAssociation:WebAclAssociation', 'api').inputs).to.deep.equal({
      resourceArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/v1',
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/scopegate-test/0123-abcd',
    });
  });

  it('is not declared when the limit is 0, the default', async () => {
    const none = await defaultStack();
    expect(none.of('aws:wafv2/webAcl:WebAcl')).to.deep.equal([]);
    expect(none.of('aws:wafv2/webAclAssociation:WebAclAssociation')).to.deep.equal([]);
  });
});
