import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { ConfigError, parseStackConfig } from '../../infra/config';
import { runProgram, signingKeySecret } from './support';

const parseWith = (values: Record<string, string>) => parseStackConfig((key) => values[key]);
const failure = (values: Record<string, string>): string => {
  try {
    parseWith(values);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

interface Declared {
  type: string;
  description?: string;
  default?: unknown;
}
const declared = (
  parse(fs.readFileSync(path.join(__dirname, '../../Pulumi.yaml'), 'utf8')) as {
    config: Record<string, Declared>;
  }
).config;

describe('parseStackConfig', () => {
  it('defaults every key for a new stack', () => {
    expect(parseWith({})).to.deep.equal({
      scopesFile: 'scopes.yaml',
      identity: { kind: 'builtin', audience: 'scopegate' },
      identityProviders: [],
      authorizerCacheTtl: 300,
      accessTokenTtl: 900,
      refreshIdleTtl: 1_209_600,
      refreshAbsoluteTtl: 2_592_000,
      defaultRoles: ['User'],
      corsOrigins: ['*'],
      logRetentionDays: 30,
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      stageName: 'v1',
      tableDeletionProtection: true,
      manageApiGatewayAccount: false,
      domain: undefined,
      alarms: undefined,
      dashboard: false,
      tracing: false,
      wafAuthRateLimit: 0,
    });
  });

  it('reads only keys Pulumi.yaml declares, each with a description and the same default', () => {
    const read = new Set<string>();
    parseStackConfig((key) => {
      read.add(key);
      return undefined;
    });
    const oidc: Record<string, string> = {
      identity: 'oidc',
      oidcIssuer: 'https://login.example.com/',
      oidcAudience: 'api',
      oidcJwksUri: 'https://login.example.com/jwks',
    };
    parseStackConfig((key) => {
      read.add(key);
      return oidc[key];
    });
    for (const key of read) {
      expect(declared, key).to.have.property(key);
      expect(declared[key]!.description, key).to.be.a('string');
      expect(declared[key], key).to.have.property('default');
    }
    const defaults = Object.fromEntries(
      Object.entries(declared).map(([key, entry]) => [
        key,
        typeof entry.default === 'string' ? entry.default : JSON.stringify(entry.default),
      ]),
    );
    expect(parseWith(defaults)).to.deep.equal(parseWith({}));
  });

  it('accepts an OIDC provider with its issuer, audience and JWKS URL', () => {
    expect(
      parseWith({
        identity: 'oidc',
        oidcIssuer: 'https://login.example.com/',
        oidcAudience: 'api://scopegate',
        oidcJwksUri: 'https://login.example.com/.well-known/jwks.json',
        oidcRolesClaim: 'roles',
      }).identity,
    ).to.deep.equal({
      kind: 'oidc',
      issuer: 'https://login.example.com/',
      audience: 'api://scopegate',
      jwksUri: 'https://login.example.com/.well-known/jwks.json',
      rolesClaim: 'roles',
      algorithms: ['RS256'],
    });
  });

  it('reads identityProviders as a JSON list of validated providers', () => {
    const cognito = {
      kind: 'cognito',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
      clientIds: ['1example23456789'],
    };
    const entra = {
      kind: 'entra',
      issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
      audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
      roleMap: { 'Messages.Admin': 'Admin' },
    };
    expect(
      parseWith({ identityProviders: JSON.stringify([cognito, entra]) }).identityProviders,
    ).to.deep.equal([cognito, entra]);
  });

  it('names identityProviders, the entry and the setting when a provider is bad', () => {
    expect(failure({ identityProviders: '{"kind":"cognito"}' })).to.equal(
      'scopegate:identityProviders: is not a JSON list of provider objects',
    );
    expect(failure({ identityProviders: '[{"kind":"cognito"' })).to.equal(
      'scopegate:identityProviders: is not valid JSON (a list of provider objects)',
    );
    expect(
      failure({
        identityProviders: JSON.stringify([
          {
            kind: 'cognito',
            issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E',
            audience: '1example23456789',
          },
        ]),
      }),
    ).to.equal(
      'scopegate:identityProviders[0].audience: cognito access tokens carry no "aud". Set clientIds to the app client ids instead',
    );
    expect(
      failure({
        identityProviders: JSON.stringify([
          {
            kind: 'keycloak',
            issuer: 'https://sso.example.com/realms/demo',
            audience: 'api',
            checkState: true,
          },
        ]),
      }),
    ).to.match(/^scopegate:identityProviders\[0\]\.checkState: is not a setting\. Expected one of: kind, /);
  });

  it('reads lists as JSON arrays or comma-separated text', () => {
    expect(
      parseWith({ corsOrigins: '["https://a.example.com","http://localhost:5173"]' }).corsOrigins,
    ).to.deep.equal(['https://a.example.com', 'http://localhost:5173']);
    expect(
      parseWith({ corsOrigins: 'https://a.example.com, https://b.example.com' }).corsOrigins,
    ).to.deep.equal(['https://a.example.com', 'https://b.example.com']);
  });

  it('names the key, the value and what it expects when a value is bad', () => {
    expect(failure({ authorizerCacheTtl: 'soon' })).to.equal(
      'scopegate:authorizerCacheTtl: "soon" is not allowed. Expected an integer 0..3600',
    );
    expect(failure({ authorizerCacheTtl: '3601' })).to.equal(
      'scopegate:authorizerCacheTtl: "3601" is not allowed. Expected an integer 0..3600',
    );
    expect(failure({ identity: 'saml' })).to.equal(
      'scopegate:identity: "saml" is not allowed. Expected one of: builtin, oidc',
    );
    expect(failure({ logRetentionDays: '10' })).to.match(
      /^scopegate:logRetentionDays: "10" is not allowed\. Expected one of: 1, 3/,
    );
    // Logs kept forever would fail the policy pack's retention rule at preview.
    expect(failure({ logRetentionDays: '0' })).to.match(/^scopegate:logRetentionDays: "0" is not allowed\./);
    expect(failure({ tableDeletionProtection: 'yes' })).to.equal(
      'scopegate:tableDeletionProtection: "yes" is not allowed. Expected true or false',
    );
    expect(failure({ corsOrigins: '["ftp://files.example.com"]' })).to.equal(
      'scopegate:corsOrigins: "ftp://files.example.com" is not allowed. Expected values like: *, https://app.example.com',
    );
    expect(failure({ stageName: 's'.repeat(33) })).to.match(/^scopegate:stageName: "s{33}" is not allowed\./);
    expect(failure({ stageName: 'v 1' })).to.equal(
      'scopegate:stageName: "v 1" is not allowed. Expected at most 32 letters, digits or _',
    );
    expect(failure({ refreshAbsoluteTtl: '600' })).to.equal(
      'scopegate:refreshAbsoluteTtl: "600" is not allowed. Expected an integer 900..31536000',
    );
  });

  it('reads the production options: domain, alarms, dashboard, tracing and WAF', () => {
    const certificate = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a';
    expect(
      parseWith({
        domainName: 'api.example.com',
        domainCertificateArn: certificate,
        domainHostedZoneId: 'Z0123456789ABC',
        alarmTopicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:oncall',
        dashboard: 'true',
        tracing: 'true',
        wafAuthRateLimit: '10',
      }),
    ).to.deep.include({
      domain: { name: 'api.example.com', certificateArn: certificate, hostedZoneId: 'Z0123456789ABC' },
      alarms: { topicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:oncall' },
      dashboard: true,
      tracing: true,
      wafAuthRateLimit: 10,
    });
    expect(parseWith({ alarmEmail: 'oncall@example.com' }).alarms).to.deep.equal({
      email: 'oncall@example.com',
    });
    expect(parseWith({ manageApiGatewayAccount: 'true' }).manageApiGatewayAccount).to.equal(true);
  });

  it('names the production key that is wrong, and what it expects', () => {
    const certificate = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e';
    expect(failure({ domainName: 'API.example.com', domainCertificateArn: certificate })).to.equal(
      'scopegate:domainName: "API.example.com" is not allowed. Expected a lower-case DNS name such as api.example.com',
    );
    expect(failure({ domainName: 'api.example.com' })).to.equal(
      'scopegate:domainCertificateArn: is required with domainName. Expected an ACM certificate ARN',
    );
    expect(failure({ domainName: 'api.example.com', domainCertificateArn: 'arn:aws:iam::1:cert' })).to.equal(
      'scopegate:domainCertificateArn: "arn:aws:iam::1:cert" is not allowed. Expected an ACM certificate ARN',
    );
    expect(failure({ domainCertificateArn: certificate })).to.equal(
      'scopegate:domainCertificateArn: is set but domainName is not',
    );
    expect(failure({ domainHostedZoneId: 'Z0123456789ABC' })).to.equal(
      'scopegate:domainHostedZoneId: is set but domainName is not',
    );
    expect(
      failure({
        domainName: 'api.example.com',
        domainCertificateArn: certificate,
        domainHostedZoneId: 'zone',
      }),
    ).to.equal(
      'scopegate:domainHostedZoneId: "zone" is not allowed. Expected a Route 53 hosted zone id such as Z0123456789ABC',
    );
    expect(failure({ alarmTopicArn: 'oncall' })).to.equal(
      'scopegate:alarmTopicArn: "oncall" is not allowed. Expected an SNS topic ARN',
    );
    expect(failure({ alarmEmail: 'oncall' })).to.equal(
      'scopegate:alarmEmail: "oncall" is not allowed. Expected an e-mail address',
    );
    expect(
      failure({ alarmEmail: 'oncall@example.com', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:t' }),
    ).to.equal('scopegate:alarmEmail: is set as well as alarmTopicArn. Expected one of them');
    expect(failure({ wafAuthRateLimit: '9' })).to.equal(
      'scopegate:wafAuthRateLimit: "9" is not allowed. Expected 0 (no web ACL) or an integer 10..2000000000',
    );
    expect(failure({ wafAuthRateLimit: '-1' })).to.equal(
      'scopegate:wafAuthRateLimit: "-1" is not allowed. Expected an integer 0..2000000000',
    );
    expect(failure({ tracing: 'on' })).to.equal(
      'scopegate:tracing: "on" is not allowed. Expected true or false',
    );
    expect(failure({ dashboard: '1' })).to.equal(
      'scopegate:dashboard: "1" is not allowed. Expected true or false',
    );
  });

  it('requires the OIDC settings when the identity source is oidc', () => {
    expect(failure({ identity: 'oidc' })).to.equal(
      'scopegate:oidcIssuer: is required. Set it with `pulumi config set oidcIssuer <value>`',
    );
    expect(failure({ identity: 'oidc', oidcIssuer: 'http://login.example.com' })).to.equal(
      'scopegate:oidcIssuer: "http://login.example.com" is not an https URL',
    );
  });
});

describe('the program with a bad configuration', () => {
  it('fails before declaring anything, naming the key', async () => {
    let error: unknown;
    await runProgram({ authorizerCacheTtl: 'soon' }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.equal(
      'scopegate:authorizerCacheTtl: "soon" is not allowed. Expected an integer 0..3600',
    );
  });

  it('refuses an OIDC stack whose scopes file still routes to the built-in token service', async () => {
    const config = {
      identity: 'oidc',
      oidcIssuer: 'https://login.example.com/',
      oidcAudience: 'api',
      oidcJwksUri: 'https://login.example.com/jwks',
    };
    const error = await runProgram(config).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(
      /^scopegate:identity: "oidc" but scopes\.yaml routes requests to the built-in token service/,
    );
  });

  it('requires declared default roles for the token service', async () => {
    const badRole = await runProgram({ signingKey: await signingKeySecret(), defaultRoles: 'Owner' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(badRole?.message).to.equal(
      'scopegate:defaultRoles: role "Owner" is not declared in scopes.yaml. Expected one of: User, Admin',
    );
  });

  it('requires the signing key as a secret for the token service', async () => {
    const error = await runProgram({}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(/^Missing required configuration variable 'scopegate:signingKey'/);
    expect(error?.message).to.contain('pulumi config set --secret scopegate:signingKey');
  });
});
