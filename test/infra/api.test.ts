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
    expect(Object.keys(permissions).sort()).to.deep.equal(['api-authorizer', 'api-messages', 'api-users']);
    expect(permissions['api-messages']).to.deep.include({
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${EXECUTION_ARN}/v1/*`,
    });
    expect(permissions['api-authorizer']!.sourceArn).to.equal(`${EXECUTION_ARN}/authorizers/*`);
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

  it('leaves the account-wide logging role alone when told to', async () => {
    const unmanaged = await runProgram({ scopesFile: tenRoutes, manageApiGatewayAccount: 'false' });
    expect(run.of('aws:apigateway/account:Account')).to.have.length(1);
    expect(unmanaged.of('aws:apigateway/account:Account')).to.deep.equal([]);
  });
});
