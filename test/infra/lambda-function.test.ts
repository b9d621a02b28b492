import { expect } from 'chai';
import { ARCHITECTURE, lambdaName, RUNTIME } from '../../infra/lambda-function';
import { defaultStack, named, type ProgramRun } from './support';

describe('LambdaFunction', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack({ logRetentionDays: '14' });
  });

  it('runs every function on Node.js 22 on arm64 under a fixed name', () => {
    expect([RUNTIME, ARCHITECTURE]).to.deep.equal(['nodejs22.x', 'arm64']);
    for (const fn of run.of('aws:lambda/function:Function')) {
      expect(fn.inputs, fn.name).to.deep.include({
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        name: `scopegate-test-${fn.name}`,
      });
    }
  });

  it('gives every function its own role and a log group with the configured retention', () => {
    for (const fn of run.of('aws:lambda/function:Function')) {
      expect(fn.inputs.role).to.equal(`arn:aws:iam::123456789012:role/${fn.name}-0123abc`);
      const logGroup = named(run, 'aws:cloudwatch/logGroup:LogGroup', fn.name).inputs;
      expect(logGroup).to.deep.equal({
        name: `/aws/lambda/scopegate-test-${fn.name}`,
        retentionInDays: 14,
        tags: { 'pulumi:project': 'scopegate', 'pulumi:stack': 'test' },
      });
      expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: 'JSON', logGroup: logGroup.name });
    }
    expect(
      run
        .of('aws:iam/role:Role')
        .map((r) => r.name)
        .sort(),
    ).to.deep.equal(['auth', 'authorizer', 'messages', 'users']);
  });

  it('groups each function with its role, policy and log group under one component', () => {
    expect(
      run
        .of('scopegate:lambda:Function')
        .map((c) => c.name)
        .sort(),
    ).to.deep.equal(['auth', 'authorizer', 'messages', 'users']);
  });
});

describe('lambdaName', () => {
  it('names a function after the project, the stack and the folder', () => {
    expect(lambdaName('scopegate-dev', 'users')).to.equal('scopegate-dev-users');
  });

  it('refuses a name Lambda would refuse', () => {
    expect(() => lambdaName(`scopegate-${'x'.repeat(60)}`, 'users')).to.throw(
      /^function name "scopegate-x+-users" is not a valid Lambda name\. Expected at most 64 letters, digits, - or _$/,
    );
  });
});
