// An optional AWS WAF web ACL on the stage: a per-IP rate limit on the anonymous, expensive /auth/* routes.
import * as aws from '@pulumi/aws';
import type { Tags } from './api';

export interface WafArgs {
  apiName: string;
  stage: aws.apigateway.Stage;
  stageName: string;
  /** Requests one IP address may send to /auth/* per 5 minutes before WAF blocks it (403). */
  authRateLimit: number;
  tags: Tags;
}

/** The window AWS WAF counts a rate-based rule's requests in, in seconds. */
export const WAF_WINDOW_SECONDS = 300;

/**
 * `/auth/...` at the root of a custom domain, or `/<stage>/auth/...` on the execute-api URL. Sign-up and
 * password sign-in run scrypt at OWASP cost on every request, anonymously.
 */
export function authPathPattern(stageName: string): string {
  return `^(/${stageName})?/auth/`;
}

export function webAcl(name: string, args: WafArgs): aws.wafv2.WebAcl {
  const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
  });
  const acl = new aws.wafv2.WebAcl(name, {
    name: args.apiName,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    rules: [
      {
        name: 'auth-rate-limit',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: args.authRateLimit,
            aggregateKeyType: 'IP',
            evaluationWindowSec: WAF_WINDOW_SECONDS,
            scopeDownStatement: {
              regexMatchStatement: {
                regexString: authPathPattern(args.stageName),
                fieldToMatch: { uriPath: {} },
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          },
        },
        visibilityConfig: visibility(`${args.apiName}-auth-rate-limit`),
      },
    ],
    visibilityConfig: visibility(args.apiName),
    tags: args.tags,
  });
  new aws.wafv2.WebAclAssociation(name, { resourceArn: args.stage.arn, webAclArn: acl.arn });
  return acl;
}
