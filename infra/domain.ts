// The API at the root of a custom domain: the domain name, its mapping to the stage, and an optional DNS alias.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { CustomDomain } from './config';
import type { Tags } from './api';

export interface DomainArgs {
  domain: CustomDomain;
  restApi: aws.apigateway.RestApi;
  stage: aws.apigateway.Stage;
  tags: Tags;
}

/**
 * A regional domain name serving the stage at its root (empty base path), so the issuer
 * `https://<domain>` has no path and RFC 8414's `/.well-known/oauth-authorization-server` is at the root too.
 * Returns the domain's base URL.
 */
export function customDomain(name: string, args: DomainArgs): pulumi.Output<string> {
  const { domain } = args;
  const domainName = new aws.apigateway.DomainName(name, {
    domainName: domain.name,
    regionalCertificateArn: domain.certificateArn,
    endpointConfiguration: { types: 'REGIONAL' },
    securityPolicy: 'TLS_1_2',
    tags: args.tags,
  });
  const mapping = new aws.apigateway.BasePathMapping(name, {
    domainName: domainName.domainName,
    restApi: args.restApi.id,
    stageName: args.stage.stageName,
  });
  if (domain.hostedZoneId !== undefined) {
    new aws.route53.Record(name, {
      zoneId: domain.hostedZoneId,
      name: domain.name,
      type: 'A',
      aliases: [
        {
          name: domainName.regionalDomainName,
          zoneId: domainName.regionalZoneId,
          evaluateTargetHealth: false,
        },
      ],
    });
  }
  // The URL once the mapping exists, so nothing announces the domain before it serves the API.
  return pulumi.interpolate`https://${mapping.domainName}`;
}
