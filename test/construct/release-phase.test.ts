import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../lib/bundle/build-bundle.js';
import type { AdminApp } from '../../lib/construct/admin-app.js';
import { ConstructValidationError } from '../../lib/construct/errors.js';
import { releasePhaseHandlerCode } from '../../lib/construct/release-phase.js';
import { adminAppStack, logicalIdOf, notesBundle, removeOutdirs } from './support/admin-app-stack.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

let bundle: Bundle;
let app: AdminApp;
let template: Template;
let resources: Resources;

beforeAll(async () => {
  bundle = await notesBundle();
  ({ app, template } = await adminAppStack({ releasePhase: { task: 'migrate' }, parameters: { NOTES_PAGE_SIZE: '100' } }));
  resources = template.toJSON().Resources as Resources;
});

afterAll(removeOutdirs);

describe('ReleasePhase', () => {
  it('runs the release task on the admin version of this release', () => {
    const phase = resources[logicalIdOf(app.releasePhase!.resource)]!;
    expect(phase.Type).toBe('Custom::CnfReleasePhase');
    expect(phase.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [logicalIdOf(app.releasePhase!.provider), 'Arn'] },
      ServiceTimeout: '1020',
      // The version's Ref is its qualified ARN: the new version, never $LATEST.
      FunctionName: { Ref: logicalIdOf(app.adminVersion) },
      Task: 'migrate',
      ArgsJson: '{}',
      Release: bundle.release,
    });
  });

  it('moves both aliases only after the release task has succeeded', () => {
    const phase = logicalIdOf(app.releasePhase!.resource);
    expect(resources[logicalIdOf(app.webAlias)]!.DependsOn).toContain(phase);
    expect(resources[logicalIdOf(app.adminAlias)]!.DependsOn).toContain(phase);
  });

  it('runs the task once the parameter set it reads is deployed', () => {
    const parameter = logicalIdOf(app.parameters.values.NOTES_PAGE_SIZE!);
    expect(resources[logicalIdOf(app.releasePhase!.resource)]!.DependsOn).toContain(parameter);
  });

  it('has a provider of inline code that may invoke admin versions and read the stack status, nothing else', () => {
    const provider = resources[logicalIdOf(app.releasePhase!.provider)]!;
    expect(provider.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Timeout: 900,
      Code: { ZipFile: releasePhaseHandlerCode() },
      LoggingConfig: { LogFormat: 'JSON' },
    });
    const admin = logicalIdOf(app.adminFunction);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(app.releasePhase!.provider.role!) }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalIdOf(app.releasePhase!.node.findChild('ProviderLogs')), 'Arn'] },
          },
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [admin, 'Arn'] }, ':*']] } },
          { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
        ],
      },
    });
  });

  it('ships the provider as CommonJS that requires only the SDK of the Lambda runtime', () => {
    const code = releasePhaseHandlerCode();
    expect(code).toContain('module.exports');
    expect([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]).sort()).toEqual([
      '@aws-sdk/client-cloudformation',
      '@aws-sdk/client-lambda',
    ]);
  });

  it('waits as long as the admin timeout allows, plus a minute', async () => {
    const { app: quick, template: quickTemplate } = await adminAppStack({
      releasePhase: { task: 'seed', args: { count: 2 } },
      admin: { timeout: Duration.minutes(5) },
    });
    const quickResources = quickTemplate.toJSON().Resources as Resources;
    expect(quickResources[logicalIdOf(quick.releasePhase!.provider)]!.Properties.Timeout).toBe(360);
    expect(quickResources[logicalIdOf(quick.releasePhase!.resource)]!.Properties).toMatchObject({
      ServiceTimeout: '480',
      Task: 'seed',
      ArgsJson: '{"count":2}',
    });
  });

  describe('refuses at synth a release task the provider could not outwait', () => {
    /** The notes bundle, with the catalog saying that `migrate` times out after `seconds`. */
    const migrateTimingOut = (seconds: number): Bundle => ({
      ...bundle,
      catalog: {
        ...bundle.catalog,
        tasks: bundle.catalog.tasks.map((task) => (task.name === 'migrate' ? { ...task, timeoutSeconds: seconds } : task)),
      },
    });

    it("takes the admin function's timeout when the task sets none: 15 minutes is too long", async () => {
      const attempt = adminAppStack({ releasePhase: { task: 'seed' } });
      await expect(attempt).rejects.toBeInstanceOf(ConstructValidationError);
      await expect(attempt).rejects.toThrow(
        "Release task seed may run for 900 s (the admin function's timeout), longer than the 840 s the release phase can wait for it",
      );
      await expect(attempt).rejects.toThrow(
        'Set options.timeoutSeconds of task seed to 840 or less, or lower the admin timeout (admin.timeout) to 840 seconds or less.',
      );
    });

    it("takes the task's own timeout when it sets one", async () => {
      await expect(adminAppStack({ releasePhase: { task: 'migrate' }, bundle: migrateTimingOut(841) })).rejects.toThrow(
        'Release task migrate may run for 841 s (its options.timeoutSeconds), longer than the 840 s',
      );
    });

    it('accepts a task that leaves the provider a minute: 840 s, or a longer task timeout in a shorter function', async () => {
      const { app: atLimit, template: atLimitTemplate } = await adminAppStack({
        releasePhase: { task: 'migrate' },
        bundle: migrateTimingOut(840),
      });
      const limitResources = atLimitTemplate.toJSON().Resources as Resources;
      expect(limitResources[logicalIdOf(atLimit.releasePhase!.provider)]!.Properties.Timeout).toBe(900);
      await expect(adminAppStack({ releasePhase: { task: 'seed' }, admin: { timeout: Duration.seconds(840) } })).resolves.toBeDefined();
      await expect(
        adminAppStack({ releasePhase: { task: 'migrate' }, bundle: migrateTimingOut(870), admin: { timeout: Duration.minutes(10) } }),
      ).resolves.toBeDefined();
    });
  });

  it('is absent without a release task: the aliases wait only for the live-alias guard', async () => {
    const { app: plain, template: plainTemplate } = await adminAppStack();
    expect(plain.releasePhase).toBeUndefined();
    plainTemplate.resourceCountIs('Custom::CnfReleasePhase', 0);
    const guard = logicalIdOf(plain.node.findChild('LiveAliasGuard').node.findChild('Resource'));
    expect((plainTemplate.toJSON().Resources as Resources)[logicalIdOf(plain.webAlias)]!.DependsOn).toEqual([guard]);
  });
});
