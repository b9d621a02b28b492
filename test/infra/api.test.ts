import { expect } from 'chai';
import { ACCESS_LOG_FORMAT, documentHash } from '../../infra/api';
import type { OpenApiDocument } from '../../policies/openapi';
import { API_ID, generatedScopes, named, runProgram, writeScopes, type ProgramRun } from './support';

const EXECUTION_ARN = `arn:aws:execute-api:eu-west-1:123456789012:${API_ID}`;
const triggerOf = (run: ProgramRun): string =>
  (named(run, 'aws:apigateway/deployment:Deployment', 'api').inputs.triggers as { document: string })
    .document;
const kinds = (run: ProgramRun): string[] => run.resources.map((r) => `${r.type} ${r.name}`).sort();

describe('documentHash', () => {
  it('changes with the document and only with it', () => {
    const document = (title: string): OpenApiDocument => ({ openapi: '3.0.1', info: { title }, paths: {} });
    expect(documentHash(document('a'))).to.equal(documentHash(document('a')));
    expect(documentHash(document('a'))).not.to.equal(documentHash(document('b')));
  });
});

describe('the API (publishApi) in the program', () => {
  const tenRoutes = writeScopes(generatedScopes(10));
  let run: ProgramRun;
  before(async () => {
    run = await runProgram({ scopesFile: tenRoutes, throttleRateLimit: '20', throttleBurstLimit: '40' });
  });

  it('redeploys when scopes.yaml changes and not otherwise', async () => {
    const again = await runProgram({ scopesFile: writeScopes(generatedScopes(10)), logRetentionDays: '90' });
    const changed = await runProgram({ scopesFile: writeScopes(generatedScopes(11)) });
    expect(triggerOf(run)).to.match(/^[0-9a-f]{64}$/);
    expect(triggerOf(again)).to.equal(triggerOf(run));
    expect(triggerOf(changed)).not.to.equal(triggerOf(run));
  });

  it('declares the same resources for 10 routes as for 500', async () => {
    const large = await runProgram({ scopesFile: writeScopes(generatedScopes(500)) });
    const body = JSON.parse(
      named(large, 'aws:apigateway/restApi:RestApi', 'api').inputs.body as string,
    ) as OpenApiDocument;
    expect(Object.keys(body.paths)).to.have.length(501);
    expect(kinds(large)).to.deep.equal(kinds(run));
    expect(large.resources).to.have.length(run.resources.length);
  });

  it('lets API Gateway invoke the functions from this API only: integrations on its stage, the authorizer as authorizer', () => {
    const permissions = Object.fromEntries(
      run.of('aws:lambda/permission:Permission').map((p) => [p.name, p.inputs]),
    );
    expect(Object.keys(permissions).sort()).to.deep.equal([
      'api-authorizer',
      'api-messages',
      'api-messages-test-invoke',
      'api-users',
      'api-users-test-invoke',
    ]);
    expect(permissions['api-messages']).to.deep.include({
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${EXECUTION_ARN}/v1/*`,
    });
    // The console's "Test" button invokes through the pseudo-stage test-invoke-stage; the console's authorizer
    // test goes through /authorizers/ like real requests.
    expect(permissions['api-messages-test-invoke']).to.deep.include({
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${EXECUTION_ARN}/test-invoke-stage/*`,
    });
    expect(permissions['api-authorizer']!.sourceArn).to.equal(`${EXECUTION_ARN}/authorizers/*`);
  });

  it('fails the update when API Gateway imports the document only in part', () => {
    expect(named(run, 'aws:apigateway/restApi:RestApi', 'api').inputs).to.deep.include({
      failOnWarnings: true,
      endpointConfiguration: { types: 'REGIONAL' },
    });
  });

  it('serves a stage with access logs and the configured throttling', () => {
    const stage = named(run, 'aws:apigateway/stage:Stage', 'api').inputs;
    expect(stage.stageName).to.equal('v1');
    expect(stage.accessLogSettings).to.deep.equal({
      destinationArn:
        'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/scopegate-test/v1/access',
      format: ACCESS_LOG_FORMAT,
    });
    expect(named(run, 'aws:apigateway/methodSettings:MethodSettings', 'api').inputs).to.deep.include({
      methodPath: '*/*',
      settings: { throttlingRateLimit: 20, throttlingBurstLimit: 40, metricsEnabled: true },
    });
  });

  it('never writes a header (so never a token) into the access log', () => {
    expect(ACCESS_LOG_FORMAT).not.to.match(/header|Authorization/i);
  });

  it('leaves the account-wide logging role alone unless asked', () => {
    expect(run.of('aws:apigateway/account:Account')).to.deep.equal([]);
    expect(run.resources.filter((resource) => resource.name.startsWith('api-cloudwatch'))).to.deep.equal([]);
  });

  it('sets the account-wide logging role when asked, and keeps it, its role and policy on delete', async () => {
    const owner = await runProgram({ scopesFile: tenRoutes, manageApiGatewayAccount: 'true' });
    const account = named(owner, 'aws:apigateway/account:Account', 'api');
    expect(account.inputs.cloudwatchRoleArn).to.equal(
      'arn:aws:iam::123456789012:role/api-cloudwatch-0123abc',
    );
    expect(
      owner.resources
        .filter((resource) => resource.retainOnDelete)
        .map((resource) => `${resource.type} ${resource.name}`)
        .sort(),
    ).to.deep.equal([
      'aws:apigateway/account:Account api',
      'aws:iam/role:Role api-cloudwatch',
      'aws:iam/rolePolicy:RolePolicy api-cloudwatch',
    ]);
    // The stage waits for the setting, or its access-log configuration would be refused on a first deploy.
    expect(kinds(owner).length).to.equal(kinds(run).length + 3);
  });

  it('traces the stage when tracing is on, and not otherwise', async () => {
    const traced = await runProgram({ scopesFile: tenRoutes, tracing: 'true' });
    expect(named(traced, 'aws:apigateway/stage:Stage', 'api').inputs.xrayTracingEnabled).to.equal(true);
    expect(named(run, 'aws:apigateway/stage:Stage', 'api').inputs.xrayTracingEnabled).to.equal(false);
    for (const fn of traced.of('aws:lambda/function:Function')) {
      expect(fn.inputs.tracingConfig, fn.name).to.deep.equal({ mode: 'Active' });
    }
    for (const fn of run.of('aws:lambda/function:Function')) {
      expect(fn.inputs.tracingConfig, fn.name).to.deep.equal({ mode: 'PassThrough' });
    }
    expect(kinds(traced)).to.deep.equal(kinds(run));
  });
});
