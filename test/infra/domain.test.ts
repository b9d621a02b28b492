import { expect } from 'chai';
import { defaultStack, named, type ProgramRun } from './support';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7';
const FUNCTION = 'aws:lambda/function:Function';
const environmentOf = (run: ProgramRun, name: string) =>
  (named(run, FUNCTION, name).inputs.environment as { variables: Record<string, string> }).variables;
const DOMAIN_TYPES = [
  'aws:apigateway/domainName:DomainName',
  'aws:apigateway/basePathMapping:BasePathMapping',
  'aws:route53/record:Record',
];

describe('the custom domain (customDomain) in the program', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack({
      domainName: 'api.example.com',
      domainCertificateArn: CERTIFICATE,
      domainHostedZoneId: 'Z0123456789ABC',
    });
  });

  it('serves the stage at the root of a regional domain with TLS 1.2', () => {
    expect(named(run, 'aws:apigateway/domainName:DomainName', 'api').inputs).to.deep.include({
      domainName: 'api.example.com',
      regionalCertificateArn: CERTIFICATE,
      endpointConfiguration: { types: 'REGIONAL' },
      securityPolicy: 'TLS_1_2',
    });
    const mapping = named(run, 'aws:apigateway/basePathMapping:BasePathMapping', 'api').inputs;
    expect(mapping).to.deep.equal({ domainName: 'api.example.com', restApi: 'a1b2c3d4e5', stageName: 'v1' });
  });

  it('points an alias record of the hosted zone at the regional domain', () => {
    expect(named(run, 'aws:route53/record:Record', 'api').inputs).to.deep.equal({
      zoneId: 'Z0123456789ABC',
      name: 'api.example.com',
      type: 'A',
      aliases: [
        {
          name: 'd-abc123.execute-api.eu-west-1.amazonaws.com',
          zoneId: 'ZREGIONAL123',
          evaluateTargetHealth: false,
        },
      ],
    });
  });

  it('makes the domain the API URL and an issuer without a path, for RFC 8414 discovery at the root', () => {
    expect(run.outputs).to.deep.include({
      apiUrl: 'https://api.example.com',
      issuer: 'https://api.example.com',
      jwksUrl: 'https://api.example.com/.well-known/jwks.json',
    });
    expect(environmentOf(run, 'auth').SCOPEGATE_ISSUER).to.equal('https://api.example.com');
    const [issuer] = JSON.parse(environmentOf(run, 'authorizer').SCOPEGATE_ISSUERS!) as { issuer: string }[];
    expect(issuer!.issuer).to.equal('https://api.example.com');
  });

  it('creates no DNS record without a hosted zone, and nothing of a domain without a domain name', async () => {
    const noZone = await defaultStack({ domainName: 'api.example.com', domainCertificateArn: CERTIFICATE });
    expect(noZone.of('aws:route53/record:Record')).to.deep.equal([]);
    expect(noZone.of('aws:apigateway/domainName:DomainName')).to.have.length(1);
    const none = await defaultStack();
    for (const type of DOMAIN_TYPES) expect(none.of(type), type).to.deep.equal([]);
    expect(none.outputs.issuer).to.equal('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1');
  });
});
