// Alarms, the authorizer's decision metrics (metric filters on its log lines) and a CloudWatch dashboard.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Tags } from './api';
import type { StackConfig } from './config';

/** What is watched: the API stage and the functions by their fixed names. */
export interface Watched {
  apiName: string;
  stageName: string;
  authorizerFunction: string;
  /** The token service, when the stack deploys it. */
  tokenServiceFunction?: string;
}

export interface AlarmSpec {
  name: string;
  description: string;
  namespace: 'AWS/ApiGateway' | 'AWS/Lambda';
  metricName: string;
  dimensions: Record<string, string>;
  /** A statistic (`Average`, `Sum`) or a percentile (`p99`). */
  statistic: string;
  threshold: number;
}

/** API Gateway's REST metrics are per API name and stage; `Average` of 4XXError/5XXError is the error rate. */
export function alarmSpecs(watched: Watched): AlarmSpec[] {
  const api = { ApiName: watched.apiName, Stage: watched.stageName };
  const fn = (name: string) => ({ FunctionName: name });
  const specs: AlarmSpec[] = [
    {
      name: 'api-5xx-rate',
      description: 'More than 1% of requests answered 5XX (functions failing, authorizer failing).',
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      dimensions: api,
      statistic: 'Average',
      threshold: 0.01,
    },
    {
      name: 'api-4xx-rate',
      description:
        'More than 25% of requests answered 4XX: throttling (429) beyond the stage limits, or a wave of refused tokens.',
      namespace: 'AWS/ApiGateway',
      metricName: '4XXError',
      dimensions: api,
      statistic: 'Average',
      threshold: 0.25,
    },
    {
      name: 'api-latency-p99',
      description: 'The slowest 1% of requests take more than 2 s (sign-in runs scrypt, about 0.1-0.3 s).',
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      dimensions: api,
      statistic: 'p99',
      threshold: 2000,
    },
    {
      name: 'authorizer-errors',
      description: 'The authorizer function failed (callers get 500).',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: fn(watched.authorizerFunction),
      statistic: 'Sum',
      threshold: 0,
    },
    {
      name: 'authorizer-throttles',
      description: 'The authorizer function was throttled (Lambda concurrency exhausted; callers get 500).',
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions: fn(watched.authorizerFunction),
      statistic: 'Sum',
      threshold: 0,
    },
  ];
  if (watched.tokenServiceFunction !== undefined) {
    specs.push({
      name: 'token-service-errors',
      description: 'The token service failed (sign-up, sign-in or refresh answered 502).',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: fn(watched.tokenServiceFunction),
      statistic: 'Sum',
      threshold: 0,
    });
  }
  return specs;
}

/** The authorizer's decisions, counted from its one JSON line per decision (functions/authorizer/logger.ts). */
export const DECISION_METRICS = {
  allow: 'AuthorizerAllow',
  deny: 'AuthorizerDeny',
  unauthorized: 'AuthorizerUnauthorized',
} as const;

/** The CloudWatch Logs filter pattern matching one kind of decision line. */
export function decisionPattern(decision: keyof typeof DECISION_METRICS): string {
  return `{ ($.message = "authorizer decision") && ($.decision = "${decision}") }`;
}

/** The custom metrics' namespace: one per stack. */
export const metricNamespace = (apiName: string): string => `scopegate/${apiName}`;

/** The dashboard's widgets: the alarms' metrics and the decision counts. */
export function dashboardBody(watched: Watched, region: string): string {
  const api = ['ApiName', watched.apiName, 'Stage', watched.stageName];
  const widget = (title: string, metrics: unknown[][], stat: string, y: number, x: number) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, stat, period: 300, view: 'timeSeries', metrics },
  });
  const lambda = (metric: string, fn: string) => ['AWS/Lambda', metric, 'FunctionName', fn];
  const functions = [watched.authorizerFunction, watched.tokenServiceFunction].filter(
    (fn): fn is string => fn !== undefined,
  );
  return JSON.stringify({
    widgets: [
      widget(
        'Requests and errors',
        [
          ['AWS/ApiGateway', 'Count', ...api],
          ['AWS/ApiGateway', '4XXError', ...api],
          ['AWS/ApiGateway', '5XXError', ...api],
        ],
        'Sum',
        0,
        0,
      ),
      widget(
        'Latency p99 (ms)',
        [
          ['AWS/ApiGateway', 'Latency', ...api],
          ['AWS/ApiGateway', 'IntegrationLatency', ...api],
        ],
        'p99',
        0,
        12,
      ),
      widget(
        'Authorizer decisions',
        Object.values(DECISION_METRICS).map((metric) => [metricNamespace(watched.apiName), metric]),
        'Sum',
        6,
        0,
      ),
      widget(
        'Function errors and throttles',
        functions.flatMap((fn) => [lambda('Errors', fn), lambda('Throttles', fn)]),
        'Sum',
        6,
        12,
      ),
    ],
  });
}

export interface MonitoringArgs {
  watched: Watched;
  config: Pick<StackConfig, 'alarms' | 'dashboard'>;
  /** The authorizer's log group, where the decision lines are. */
  authorizerLogGroup: aws.cloudwatch.LogGroup;
  region: pulumi.Input<string>;
  tags: Tags;
}

/** Declares alarms (with an e-mail topic when asked), decision metric filters and the dashboard, as configured. */
export function monitoring(name: string, args: MonitoringArgs): void {
  const { watched, config, tags } = args;
  if (config.alarms !== undefined) {
    const topicArn: pulumi.Input<string> =
      'topicArn' in config.alarms ? config.alarms.topicArn : emailTopic(name, config.alarms.email, tags);
    for (const spec of alarmSpecs(watched)) {
      const percentile = spec.statistic.startsWith('p');
      new aws.cloudwatch.MetricAlarm(`${name}-${spec.name}`, {
        name: `${watched.apiName}-${spec.name}`,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        ...(percentile ? { extendedStatistic: spec.statistic } : { statistic: spec.statistic }),
        period: 300,
        evaluationPeriods: 1,
        threshold: spec.threshold,
        comparisonOperator: 'GreaterThanThreshold',
        // No traffic is no failure.
        treatMissingData: 'notBreaching',
        alarmActions: [topicArn],
        okActions: [topicArn],
        tags,
      });
    }
  }
  if (config.dashboard) {
    for (const [decision, metric] of Object.entries(DECISION_METRICS)) {
      new aws.cloudwatch.LogMetricFilter(`${name}-${decision}`, {
        logGroupName: args.authorizerLogGroup.name,
        pattern: decisionPattern(decision as keyof typeof DECISION_METRICS),
        metricTransformation: {
          name: metric,
          namespace: metricNamespace(watched.apiName),
          value: '1',
          unit: 'Count',
        },
      });
    }
    new aws.cloudwatch.Dashboard(name, {
      dashboardName: watched.apiName,
      dashboardBody: pulumi.output(args.region).apply((region) => dashboardBody(watched, region)),
    });
  }
}

function emailTopic(name: string, email: string, tags: Tags): pulumi.Output<string> {
  const topic = new aws.sns.Topic(`${name}-alarms`, { tags });
  // E-mail subscriptions wait for the recipient to confirm; until then nothing is delivered.
  new aws.sns.TopicSubscription(`${name}-alarms`, { topic: topic.arn, protocol: 'email', endpoint: email });
  return topic.arn;
}
