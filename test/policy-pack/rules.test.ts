// Each guardrail on passing and failing resource properties, the API rule on documents toOpenApi really builds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { compileScopes } from '../../policies';
import { toOpenApi, type OpenApiDocument } from '../../policies/openapi';
import { publicRoutesOf } from '../../policy-pack/public-routes';
import {
  AUTHORIZER,
  checkApiAuthorizers,
  checkAuthorizerTtl,
  checkFailOnWarnings,
  checkLambdaPermission,
  checkLogRetention,
  checkNoAdminStatements,
  checkPermissionsNameThisApi,
  checkTable,
  PERMISSION,
  REST_API,
  RULES,
  type RuleContext,
} from '../../policy-pack/rules';

const model = compileScopes(readFileSync(join(__dirname, '../../scopes.yaml'), 'utf8'));
const ARN = (fn: string): string =>
  `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:${fn}/invocations`;
const documentWith = (ttl = 300): OpenApiDocument =>
  toOpenApi(model, {
    title: 'scopegate-test',
    functionInvokeArns: { auth: ARN('auth'), messages: ARN('messages'), users: ARN('users') },
    tokenAuthorizerInvokeArn: ARN('authorizer'),
    routeAuthorizerInvokeArn: ARN('authorizer'),
    authorizerTtlSeconds: ttl,
    corsOrigins: ['*'],
  });
const context: RuleContext = { publicRoutes: publicRoutesOf(), maxAuthorizerTtlSeconds: 3600 };
const api = (document: unknown) => ({ body: JSON.stringify(document) });

describe('api-methods-use-authorizer', () => {
  it('passes the document the program builds from scopes.yaml', () => {
    expect(checkApiAuthorizers(api(documentWith()), context)).to.deep.equal([]);
  });

  it('reads the public routes from scopes.yaml', () => {
    expect([...context.publicRoutes].sort()).to.deep.equal([
      'GET /.well-known/jwks.json',
      'GET /.well-known/oauth-authorization-server',
      'POST /auth/revoke',
      'POST /auth/signup',
      'POST /auth/token',
    ]);
  });

  it('fails a private route whose method lost its authorizer', () => {
    const document = documentWith();
    delete document.paths['/users/{userId}']!.get!.security;
    expect(checkApiAuthorizers(api(document), context)).to.deep.equal([
      'GET /users/{userId} has no authorizer but scopes.yaml does not declare it public',
    ]);
  });

  it('fails a method that also admits callers without a requirement', () => {
    const document = documentWith();
    document.paths['/messages']!.post!.security = [{ scopegateToken: [] }, {}];
    expect(checkApiAuthorizers(api(document), context)).to.deep.equal([
      'POST /messages has no authorizer but scopes.yaml does not declare it public',
    ]);
  });

  it('fails a method guarded by an authorizer that is not the product’s', () => {
    const document = documentWith();
    document.paths['/users']!.get!.security = [{ api_key: [] }];
    expect(checkApiAuthorizers(api(document), context)).to.deep.equal([
      'GET /users uses authorizer "api_key". Expected one of: scopegateToken, scopegateToken-*, scopegateRoute',
    ]);
  });

  it('fails a route added to the document without an authorizer, and a body that is not JSON', () => {
    const document = documentWith();
    document.paths['/admin'] = { delete: { responses: {}, 'x-amazon-apigateway-integration': {} } };
    expect(checkApiAuthorizers(api(document), context)).to.deep.equal([
      'DELETE /admin has no authorizer but scopes.yaml does not declare it public',
    ]);
    expect(checkApiAuthorizers({ body: '{"openapi":' }, context)).to.deep.equal(['body is not valid JSON']);
  });
});

describe('authorizer-ttl-bounded', () => {
  it('passes the product default and the API Gateway maximum', () => {
    expect(checkAuthorizerTtl(REST_API, api(documentWith(300)), context)).to.deep.equal([]);
    expect(checkAuthorizerTtl(REST_API, api(documentWith(3600)), context)).to.deep.equal([]);
  });

  it('fails a TTL above the configured bound, in the document or on an Authorizer resource', () => {
    const strict = { ...context, maxAuthorizerTtlSeconds: 300 };
    expect(checkAuthorizerTtl(REST_API, api(documentWith(600)), strict)).to.deep.equal([
      'security scheme scopegateToken: authorizer result TTL 600 is out of range. Expected an integer 0..300',
    ]);
    expect(
      checkAuthorizerTtl(AUTHORIZER, { name: 'a', authorizerResultTtlInSeconds: 301 }, strict),
    ).to.deep.equal(['authorizer a: authorizer result TTL 301 is out of range. Expected an integer 0..300']);
  });

  it('counts an Authorizer without a TTL as API Gateway’s default of 300 seconds', () => {
    expect(checkAuthorizerTtl(AUTHORIZER, { name: 'a' }, context)).to.deep.equal([]);
    expect(
      checkAuthorizerTtl(AUTHORIZER, { name: 'a' }, { ...context, maxAuthorizerTtlSeconds: 60 }),
    ).to.have.length(1);
  });
});

describe('dynamodb-recoverable-and-encrypted', () => {
  it('passes a table with point-in-time recovery and KMS encryption', () => {
    expect(
      checkTable({ pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true } }),
    ).to.deep.equal([]);
  });

  it('fails a table on the defaults', () => {
    expect(checkTable({})).to.deep.equal([
      'point-in-time recovery is off. Expected pointInTimeRecovery: { enabled: true }',
      'encryption uses the AWS-owned default key. Expected serverSideEncryption: { enabled: true } (a KMS key)',
    ]);
    expect(
      checkTable({ pointInTimeRecovery: { enabled: false }, serverSideEncryption: { enabled: true } }),
    ).to.have.length(1);
  });
});

describe('lambda-invoked-by-api-gateway-only', () => {
  const sourceArn = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/v1/*';

  it('passes API Gateway invoking from one API', () => {
    expect(checkLambdaPermission({ principal: 'apigateway.amazonaws.com', sourceArn })).to.deep.equal([]);
  });

  it('fails another principal, a missing source ARN and a wildcard API', () => {
    expect(checkLambdaPermission({ principal: '*', sourceArn })).to.deep.equal([
      'principal "*" is not allowed. Expected apigateway.amazonaws.com',
    ]);
    expect(checkLambdaPermission({ principal: 'apigateway.amazonaws.com' })).to.have.length(1);
    expect(
      checkLambdaPermission({
        principal: 'apigateway.amazonaws.com',
        sourceArn: 'arn:aws:execute-api:eu-west-1:123456789012:*/v1/*',
      }),
    ).to.deep.equal([
      'sourceArn "arn:aws:execute-api:eu-west-1:123456789012:*/v1/*" does not name one API. Expected arn:aws:execute-api:<region>:<account>:<api-id>/...',
    ]);
  });

  it('fails a permission naming an API the stack does not create', () => {
    const restApi = {
      type: REST_API,
      props: { executionArn: 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5' },
    };
    const permission = (id: string) => ({
      type: PERMISSION,
      props: { function: 'f', sourceArn: `arn:aws:execute-api:eu-west-1:123456789012:${id}/v1/*` },
    });
    expect(checkPermissionsNameThisApi([restApi, permission('a1b2c3d4e5')])).to.deep.equal([]);
    expect(checkPermissionsNameThisApi([restApi, permission('zzzz999999')])).to.deep.equal([
      'permission for f names API zzzz999999, which this stack does not create',
    ]);
  });
});

describe('rest-api-fails-on-warnings', () => {
  it('passes an imported API that fails on warnings, and an API without a document', () => {
    expect(checkFailOnWarnings({ body: '{}', failOnWarnings: true })).to.deep.equal([]);
    expect(checkFailOnWarnings({ name: 'built resource by resource' })).to.deep.equal([]);
  });

  it('fails an imported API that ignores import warnings', () => {
    for (const props of [{ body: '{}' }, { body: '{}', failOnWarnings: false }]) {
      expect(checkFailOnWarnings(props)).to.deep.equal([
        'imports a document but ignores import warnings. Expected failOnWarnings: true',
      ]);
    }
  });
});

describe('log-groups-have-retention', () => {
  it('passes a log group with a retention', () => {
    expect(checkLogRetention({ name: 'g', retentionInDays: 30 })).to.deep.equal([]);
  });

  it('fails a log group kept forever', () => {
    expect(checkLogRetention({ name: 'g' })).to.deep.equal([
      'log group g keeps logs forever. Expected retentionInDays > 0',
    ]);
    expect(checkLogRetention({ name: 'g', retentionInDays: 0 })).to.have.length(1);
  });
});

describe('no-iam-star-on-star', () => {
  const policy = (statement: Record<string, unknown>) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

  it('passes scoped statements and a Deny on everything', () => {
    const scoped = policy({ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: '*' });
    expect(checkNoAdminStatements('aws:iam/rolePolicy:RolePolicy', { policy: scoped })).to.deep.equal([]);
    const deny = policy({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(checkNoAdminStatements('aws:iam/policy:Policy', { policy: deny })).to.deep.equal([]);
  });

  it('fails "*" on "*" in a policy, a role policy and a role’s inline policy', () => {
    const admin = policy({ Sid: 'All', Effect: 'Allow', Action: ['*'], Resource: ['*'] });
    expect(checkNoAdminStatements('aws:iam/policy:Policy', { policy: admin })).to.deep.equal([
      'statement "All" allows "*" on "*"',
    ]);
    expect(
      checkNoAdminStatements('aws:iam/rolePolicy:RolePolicy', { policy: JSON.parse(admin) as unknown }),
    ).to.have.length(1);
    expect(
      checkNoAdminStatements('aws:iam/role:Role', {
        inlinePolicies: [{ name: 'x', policy: policy({ Effect: 'Allow', Action: '*:*', Resource: '*' }) }],
      }),
    ).to.deep.equal(['statement allows "*" on "*"']);
  });
});

describe('RULES', () => {
  it('names every rule once and applies each to at least one type', () => {
    expect(new Set(RULES.map((r) => r.name)).size).to.equal(RULES.length);
    for (const rule of RULES) expect(rule.types, rule.name).to.not.be.empty;
  });
});
