// The CI workflows: valid for GitHub Actions, and safe for pull requests from forks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { expect } from 'chai';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  permissions?: Record<string, string> | string;
  environment?: string;
  strategy?: { matrix?: { stack?: string[] }; 'max-parallel'?: number };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const DIR = join(__dirname, '../../.github/workflows');
const FILES = ['pull-request.yml', 'deploy.yml'];
const source = (file: string): string => readFileSync(join(DIR, file), 'utf8');
const workflow = (file: string): Workflow => parse(source(file)) as Workflow;
const NOT_A_FORK = 'github.event.pull_request.head.repo.full_name == github.repository';
/** What a job may be granted: read the code, comment on the PR, request an OIDC token. */
const ALLOWED = new Set(['contents: read', 'pull-requests: write', 'id-token: write']);
const usesSecrets = (job: Job): boolean =>
  JSON.stringify(job).includes('secrets.') ||
  (typeof job.permissions === 'object' && job.permissions['id-token'] === 'write');

describe('workflows', () => {
  for (const file of FILES) {
    it(`${file} is a valid workflow`, () => {
      expect(validateWorkflow(source(file)).errors).to.deep.equal([]);
    });

    it(`${file} grants contents: read by default and each job no more than it needs`, () => {
      const { permissions, jobs } = workflow(file);
      expect(permissions).to.deep.equal({ contents: 'read' });
      for (const [name, job] of Object.entries(jobs)) {
        expect(job.permissions ?? {}, name).to.be.an('object');
        for (const [scope, level] of Object.entries(job.permissions ?? {})) {
          expect(ALLOWED.has(`${scope}: ${level}`), `${name}: ${scope}: ${level}`).to.equal(true);
        }
      }
    });

    it(`${file} pins every action to at least a major version`, () => {
      const steps = Object.values(workflow(file).jobs).flatMap((job) => job.steps);
      for (const step of steps.filter((s) => s.uses !== undefined)) {
        expect(step.uses, step.uses).to.match(/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
      }
    });

    it(`${file} gets AWS credentials only through OIDC role assumption`, () => {
      const steps = Object.values(workflow(file).jobs).flatMap((job) => job.steps);
      const aws = steps.filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(aws).to.not.be.empty;
      for (const step of aws) {
        expect(step.with).to.have.property('role-to-assume');
        expect(step.with).to.not.have.any.keys('aws-access-key-id', 'aws-secret-access-key');
      }
      expect(source(file)).to.not.match(/AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
    });

    it(`${file} never expands event text inside a shell script`, () => {
      for (const step of Object.values(workflow(file).jobs).flatMap((job) => job.steps)) {
        expect(step.run ?? '', step.run).to.not.match(/\$\{\{/);
      }
    });
  }

  describe('pull-request.yml', () => {
    const pr = workflow('pull-request.yml');
    const steps = (job: string): Step[] => pr.jobs[job]!.steps;

    it('runs on pull_request, never pull_request_target', () => {
      expect(Object.keys(pr.on)).to.deep.equal(['pull_request']);
      expect(source('pull-request.yml')).to.not.contain('pull_request_target');
    });

    it('runs npm ci and npm test', () => {
      expect(
        steps('test')
          .map((s) => s.run)
          .filter(Boolean),
      ).to.deep.equal(['npm ci --no-audit --no-fund', 'npm test']);
    });

    it('gives secrets and OIDC only to jobs that skip forks', () => {
      for (const [name, job] of Object.entries(pr.jobs).filter(([, job]) => usesSecrets(job))) {
        expect(job.if, name).to.equal(NOT_A_FORK);
      }
      expect(pr.jobs.preview!.if).to.equal(NOT_A_FORK);
    });

    it('diffs access against the base branch with full history and comments only from this repository', () => {
      const [checkout, ...rest] = steps('access-diff');
      expect(checkout).to.deep.equal({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
      const diff = rest.find((s) => s.run?.includes('scopes -- diff'))!;
      expect(diff.run).to.contain('npm run -s scopes -- diff --base "origin/$BASE_REF"');
      expect(diff.env).to.deep.equal({ BASE_REF: '${{ github.base_ref }}' });
      const comment = rest.find((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment@'))!;
      expect(comment.if).to.equal(NOT_A_FORK);
      expect(comment.with).to.deep.equal({ header: 'scopegate-access-diff', path: 'access-diff.md' });
    });

    it('fails on widened access unless the PR carries the access-widening label', () => {
      const gate = steps('access-diff').find((s) => s.run?.includes('--fail-on-widen'))!;
      expect(gate.if).to.equal(
        "${{ !contains(github.event.pull_request.labels.*.name, 'access-widening') }}",
      );
      expect(pr.on.pull_request).to.deep.include({
        types: ['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled'],
      });
    });

    it('previews with the policy pack through the Pulumi action and comments on the PR', () => {
      const pulumi = steps('preview').find((s) => s.uses?.startsWith('pulumi/actions@'))!;
      expect(pulumi.with).to.deep.include({
        command: 'preview',
        policyPacks: 'policy-pack',
        'comment-on-pr': true,
      });
      expect(pr.jobs.preview!.permissions).to.deep.equal({
        contents: 'read',
        'id-token': 'write',
        'pull-requests': 'write',
      });
    });
  });

  describe('deploy.yml', () => {
    const deploy = workflow('deploy.yml');
    const job = deploy.jobs.deploy!;

    it('runs on pushes to main only (or by hand)', () => {
      expect(deploy.on).to.deep.equal({ push: { branches: ['main'] }, workflow_dispatch: null });
    });

    it('runs pulumi up with the policy pack per stack, one at a time, behind the stack’s environment', () => {
      expect(job.strategy?.matrix?.stack).to.deep.equal(['dev', 'prod']);
      expect(job.strategy?.['max-parallel']).to.equal(1);
      expect(job.environment).to.equal('${{ matrix.stack }}');
      const pulumi = job.steps.find((s) => s.uses?.startsWith('pulumi/actions@'))!;
      expect(pulumi.with).to.deep.equal({
        command: 'up',
        'stack-name': '${{ matrix.stack }}',
        policyPacks: 'policy-pack',
      });
    });

    it('tests before it deploys', () => {
      const runs = job.steps.map((s) => s.run ?? s.uses);
      expect(runs.indexOf('npm test')).to.be.lessThan(
        runs.findIndex((r) => r?.startsWith('pulumi/actions@')),
      );
    });
  });
});
