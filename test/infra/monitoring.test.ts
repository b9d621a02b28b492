import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { createJsonLogger, type DecisionFields } from '../../functions/authorizer/logger';
import { DECISION_METRICS, decisionPattern } from '../../infra/monitoring';
import { defaultStack, named, runProgram, writeScopes, type ProgramRun } from './support';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:oncall';
const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const names = (run: ProgramRun, type: string) =>
  run
    .of(type)
    .map((resource) => resource.name)
    .sort();

/** Evaluates a CloudWatch JSON filter pattern of `($.field = "value")` terms joined by `&&` on one log line. */
function matches(pattern: string, line: string): boolean {
  const terms = [...pattern.matchAll(/\(\$\.([A-Za-z]+) = "([^"]*)"\)/g)];
  const rest = pattern.replace(/\(\$\.[A-Za-z]+ = "[^"]*"\)/g, '').replace(/[{}&\s]/g, '');
  if (terms.length === 0 || rest !== '') throw new TypeError(`unsupported pattern ${pattern}`);
  const event = JSON.parse(line) as Record<string, unknown>;
  return terms.every(([, field, value]) => event[field!] === value);
}

describe('monitoring: alarms', () => {
  let plain: ProgramRun;
  let alarmed: ProgramRun;
  before(async () => {
    plain = await defaultStack();
    alarmed = await defaultStack({ alarmTopicArn: TOPIC });
  });

  it('declares no alarm, topic, metric filter or dashboard unless configured', () => {
    for (const type of [
      ALARM,
      'aws:sns/topic:Topic',
      'aws:cloudwatch/logMetricFilter:LogMetricFilter',
      'aws:cloudwatch/dashboard:Dashboard',
    ]) {
      expect(plain.of(type), type).to.deep.equal([]);
    }
  });

  it('alarms on 5XX and 4XX rates, p99 latency, authorizer errors and throttles and token-service errors', () => {
    expect(names(alarmed, ALARM)).to.deep.equal([
      'monitoring-api-4xx-rate',
      'monitoring-api-5xx-rate',
      'monitoring-api-latency-p99',
      'monitoring-authorizer-errors',
      'monitoring-authorizer-throttles',
      'monitoring-token-service-errors',
    ]);
    const api = { ApiName: 'scopegate-test', Stage: 'v1' };
    expect(named(alarmed, ALARM, 'monitoring-api-5xx-rate').inputs).to.deep.include({
      name: 'scopegate-test-api-5xx-rate',
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      dimensions: api,
      statistic: 'Average',
      threshold: 0.01,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
    const latency = named(alarmed, ALARM, 'monitoring-api-latency-p99').inputs;
    expect(latency).to.deep.include({ metricName: 'Latency', extendedStatistic: 'p99', dimensions: api });
    expect(latency).not.to.have.property('statistic');
    expect(named(alarmed, ALARM, 'monitoring-authorizer-throttles').inputs).to.deep.include({
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: { FunctionName: 'scopegate-test-authorizer' },
      statistic: 'Sum',
      threshold: 0,
    });
    expect(named(alarmed, ALARM, 'monitoring-token-service-errors').inputs.dimensions).to.deep.equal({
      FunctionName: 'scopegate-test-auth',
    });
    // The topic is the operator's: nothing is created for it.
    expect(alarmed.of('aws:sns/topic:Topic')).to.deep.equal([]);
  });

  it('creates a topic with an e-mail subscription when given an address', async () => {
    const run = await defaultStack({ alarmEmail: 'oncall@example.com' });
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:monitoring-alarms-0123abc';
    expect(names(run, 'aws:sns/topic:Topic')).to.deep.equal(['monitoring-alarms']);
    expect(
      named(run, 'aws:sns/topicSubscription:TopicSubscription', 'monitoring-alarms').inputs,
    ).to.deep.equal({
      topic: topicArn,
      protocol: 'email',
      endpoint: 'oncall@example.com',
    });
    for (const alarm of run.of(ALARM))
      expect(alarm.inputs.alarmActions, alarm.name).to.deep.equal([topicArn]);
  });

  it('has no token-service alarm when the stack has no token service', async () => {
    const file = writeScopes(
      fs
        .readFileSync(path.join(__dirname, '../../scopes.yaml'), 'utf8')
        .split('\n')
        .filter((line) => !/auth|well-known|^public:/.test(line))
        .join('\n'),
    );
    const run = await runProgram({
      scopesFile: file,
      identity: 'oidc',
      oidcIssuer: 'https://login.example.com/',
      oidcAudience: 'api',
      oidcJwksUri: 'https://login.example.com/jwks',
      alarmTopicArn: TOPIC,
    });
    expect(names(run, ALARM)).not.to.include('monitoring-token-service-errors');
    expect(run.of(ALARM)).to.have.length(5);
  });
});

describe('monitoring: dashboard and decision metrics', () => {
  let run: ProgramRun;
  before(async () => {
    run = await defaultStack({ dashboard: 'true' });
  });

  it('counts allow, deny and unauthorized decisions from the authorizer log group', () => {
    const filters = run.of('aws:cloudwatch/logMetricFilter:LogMetricFilter');
    expect(filters.map((filter) => filter.name).sort()).to.deep.equal([
      'monitoring-allow',
      'monitoring-deny',
      'monitoring-unauthorized',
    ]);
    for (const filter of filters) {
      const decision = filter.name.replace('monitoring-', '') as keyof typeof DECISION_METRICS;
      expect(filter.inputs).to.deep.equal({
        logGroupName: '/aws/lambda/scopegate-test-authorizer',
        pattern: decisionPattern(decision),
        metricTransformation: {
          name: DECISION_METRICS[decision],
          namespace: 'scopegate/scopegate-test',
          value: '1',
          unit: 'Count',
        },
      });
    }
  });

  it('matches exactly the lines the authorizer writes for each decision', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line));
    const decisions: DecisionFields['decision'][] = ['allow', 'deny', 'unauthorized', 'error'];
    for (const decision of decisions) {
      const fields: DecisionFields = { decision, reason: 'OK', event: 'token', latencyMs: 1 };
      if (decision === 'error') logger.error('authorizer decision', fields);
      else logger.info('authorizer decision', fields);
    }
    for (const decision of Object.keys(DECISION_METRICS) as (keyof typeof DECISION_METRICS)[]) {
      const matched = lines.filter((line) => matches(decisionPattern(decision), line));
      expect(matched.map((line) => (JSON.parse(line) as DecisionFields).decision)).to.deep.equal([decision]);
    }
  });

  it('shows requests, errors, latency, decisions and function failures on one dashboard', () => {
    const dashboard = named(run, 'aws:cloudwatch/dashboard:Dashboard', 'monitoring').inputs;
    expect(dashboard.dashboardName).to.equal('scopegate-test');
    const body = JSON.parse(dashboard.dashboardBody as string) as {
      widgets: { properties: { title: string; region: string; metrics: string[][] } }[];
    };
    const metrics = body.widgets.flatMap((widget) => widget.properties.metrics.map((m) => `${m[0]} ${m[1]}`));
    expect(metrics).to.include.members([
      'AWS/ApiGateway Count',
      'AWS/ApiGateway 4XXError',
      'AWS/ApiGateway 5XXError',
      'AWS/ApiGateway Latency',
      'scopegate/scopegate-test AuthorizerAllow',
      'scopegate/scopegate-test AuthorizerDeny',
      'scopegate/scopegate-test AuthorizerUnauthorized',
      'AWS/Lambda Errors',
      'AWS/Lambda Throttles',
    ]);
    for (const widget of body.widgets) expect(widget.properties.region).to.equal('eu-west-1');
  });
});
