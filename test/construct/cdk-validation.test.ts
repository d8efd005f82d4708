/**
 * The templates the construct writes pass aws-cdk-lib's built-in
 * CloudFormation validation, which a synth runs by default (the resource
 * types' schemas, and CDK's default rules): it prints what it finds as
 * warnings under every synth of a user's app, and fails the synth where the
 * app sets `@aws-cdk/core:validateAgainstDefaultRules`. The suite's other
 * synths run with it off (test/support/cdk-validation.ts says why), but
 * `cdk synth` of the example app (cdk-synth.test.ts) and of the adopted app
 * (package-adoption.test.ts), which run it as a user's synth does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Duration, type Stack } from 'aws-cdk-lib';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdminApp } from '../../lib/construct/admin-app.js';
import { newStack, notesBundle, removeOutdirs } from './support/admin-app-stack.js';

afterAll(removeOutdirs);

/** The stack's app, synthesised: the violations its validation report lists. */
function violationsOf(stack: Stack): unknown[] {
  const assembly = (stack.node.root as App).synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations?: unknown[] }[];
  };
  return report.pluginReports.flatMap((plugin) => plugin.violations ?? []);
}

describe("aws-cdk-lib's built-in CloudFormation validation", () => {
  beforeEach(() => vi.stubEnv('CDK_VALIDATION', 'true'));
  afterEach(() => vi.unstubAllEnvs());

  it('finds nothing in a stage with every part the construct writes', async () => {
    const stack = newStack();
    const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-private-a', 'subnet-private-b'],
      publicSubnetIds: ['subnet-public-a', 'subnet-public-b'],
    });
    new AdminApp(stack, 'App', {
      app: 'notes',
      stage: 'prod',
      bundle: await notesBundle(),
      releasePhase: { task: 'migrate' },
      schedules: [{ task: 'notes:purge', args: { olderThanDays: 365 }, schedule: 'rate(1 day)' }],
      parameters: { NOTES_PAGE_SIZE: '100' },
      secureParameters: ['DATABASE_URL'],
      console: true,
      admin: { timeout: Duration.minutes(10) },
      containerTasks: { vpc, securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'Tasks', 'sg-tasks', { mutable: false })] },
    });
    expect(violationsOf(stack)).toEqual([]);
  });

  it('is on in this file: it names what is wrong with a template CloudFormation would refuse', () => {
    const stack = newStack();
    new CfnResource(stack, 'Broken', { type: 'AWS::Lambda::Function', properties: { Runtime: 42 } });
    expect(violationsOf(stack)).toContainEqual(expect.objectContaining({ description: "Properties: 'Code' is a required property" }));
  });
});
