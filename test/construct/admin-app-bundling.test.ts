import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApp } from '../../lib/construct/admin-app.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { newStack, removeOutdirs } from './support/admin-app-stack.js';

let project: TestProject;
let localRelease: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  // The local stage's release, as a user gets it from the binary.
  const deployed = await project.cli(['deploy', '--stage', 'local', '--json']);
  expect(deployed.code, deployed.stderr).toBe(0);
  localRelease = (JSON.parse(deployed.stdout) as { release: string }).release;
});

afterAll(async () => {
  removeOutdirs();
  await project.cleanup();
});

/** A stack in an app whose context names the stage, as `npx cdk synth -c stage=prod` gives it. */
function stackWithStage(stage: string | undefined): Stack {
  const stack = newStack('fixture-prod');
  if (stage !== undefined) stack.node.setContext('stage', stage);
  return stack;
}

describe('AdminApp without a bundle', () => {
  it("builds the project's bundle at synth, with the local stage's release id, and takes app and stage from cdk.json and the context", () => {
    // given
    const stack = stackWithStage('prod');

    // when
    const admin = new AdminApp(stack, 'Admin', { projectDir: project.dir });

    // then
    expect(admin.release).toBe(localRelease);
    expect(admin.app).toBe('fixture');
    expect(admin.stage).toBe('prod');
    expect(admin.catalog.tasks.map((task) => task.name)).toContain('noop');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'fixture-prod-admin', Handler: 'admin.handler' });
    const outdir = (stack.node.root as App).assetOutdir;
    expect(existsSync(join(outdir, `.cnf-bundle-${localRelease}`, 'admin.mjs'))).toBe(true);
    expect(existsSync(join(outdir, `.cnf-bundle-${localRelease}`, 'manifest.json'))).toBe(true);
  });

  it('gives stacks of one App one build, and another App a staged bundle of its own', () => {
    const first = newStack('fixture-prod');
    first.node.setContext('stage', 'prod');
    const one = new AdminApp(first, 'Admin', { projectDir: project.dir });
    const sibling = new Stack(first.node.root as App, 'fixture-prod-2');
    const two = new AdminApp(sibling, 'Admin', { projectDir: project.dir, stage: 'prod' });
    const other = stackWithStage('prod');
    const three = new AdminApp(other, 'Admin', { projectDir: project.dir });
    expect([one.release, two.release, three.release]).toEqual([localRelease, localRelease, localRelease]);
    // Each App stages the bundle into its own output directory.
    const outdirOf = (stack: Stack) => (stack.node.root as App).assetOutdir;
    expect(existsSync(join(outdirOf(other), `.cnf-bundle-${localRelease}`, 'manifest.json'))).toBe(true);
    expect(outdirOf(other)).not.toBe(outdirOf(first));
  });

  it('finds the project from the working directory when no projectDir is given', () => {
    const cwd = process.cwd();
    process.chdir(join(project.dir, 'lambda'));
    try {
      // No props object at all: every prop is optional.
      expect(new AdminApp(stackWithStage('prod'), 'Admin').release).toBe(localRelease);
    } finally {
      process.chdir(cwd);
    }
  });

  it('says which stages exist when none is given', () => {
    expect(() => new AdminApp(stackWithStage(undefined), 'Admin', { projectDir: project.dir })).toThrow(
      `fixture-prod/Admin: no stage given. The AWS stages of ${join(project.dir, 'cdk.json')}: prod.`,
    );
  });

  it('refuses a stage that cdk.json does not declare as an AWS stage', () => {
    expect(() => new AdminApp(stackWithStage('local'), 'Admin', { projectDir: project.dir })).toThrow(
      'stage "local" is not an AWS stage of the project',
    );
  });

  it('reports code that does not build as a build error (exit 65), naming the file', async () => {
    const copy = createTestProject('tasks');
    try {
      writeFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), 'export default {{;\n');
      const error = (() => {
        try {
          new AdminApp(stackWithStage('prod'), 'Admin', { projectDir: copy.dir });
          return undefined;
        } catch (caught) {
          return caught as Error & { exitCode?: number };
        }
      })();
      expect(error?.name).toBe('BuildError');
      expect(error?.exitCode).toBe(65);
      expect(error?.message).toMatch(/lambda\/tasks\/noop\.ts:1:\d+: /);
    } finally {
      await copy.cleanup();
    }
  });

  it('names cdk.json and the value when a layout setting is wrong', async () => {
    const copy = createTestProject('tasks');
    try {
      const file = join(copy.dir, 'cdk.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.context.cnf.assetDirs = 'migrations';
      writeFileSync(file, JSON.stringify(json));
      expect(() => new AdminApp(stackWithStage('prod'), 'Admin', { projectDir: copy.dir, app: 'fixture' })).toThrow(
        `context.cnf.assetDirs in ${file} must be a list`,
      );
    } finally {
      await copy.cleanup();
    }
  });
});

describe('AdminApp grants', () => {
  it('lets an operator role do what cnf-admin needs, and keeps the reserved keys', () => {
    const stack = stackWithStage('prod');
    const admin = new AdminApp(stack, 'Admin', { projectDir: project.dir, testEvents: false });
    const operator = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('codebuild.amazonaws.com') });
    admin.grantOperate(operator);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy).includes('Operator'))
      .flatMap(
        (policy) =>
          (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Effect: string }[] } } }).Properties.PolicyDocument
            .Statement,
      );
    const actions = statements.flatMap((statement) => [statement.Action].flat().map((action) => `${statement.Effect}:${String(action)}`));
    expect(actions).toEqual(
      expect.arrayContaining([
        'Allow:ssm:GetParameter',
        'Allow:lambda:GetAlias',
        'Allow:lambda:ListVersionsByFunction',
        'Allow:lambda:InvokeFunction',
        'Allow:logs:FilterLogEvents',
        'Allow:logs:StartLiveTail',
        'Allow:ssm:GetParametersByPath',
        'Allow:ssm:PutParameter',
        'Allow:dynamodb:Query',
        'Deny:ssm:PutParameter',
      ]),
    );
  });
});
