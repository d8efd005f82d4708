import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminApp } from '../../lib/construct/admin-app.js';
import { deployedConfigHandlerCode } from '../../lib/construct/deployed-config.js';
import { adminAppStack, logicalIdOf, removeOutdirs, stackArn } from './support/admin-app-stack.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

let stack: Stack;
let app: AdminApp;
let template: Template;
let resources: Resources;

const digest = (value: string): string => `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;

/** A declared parameter's ARN as the template writes it. */
const parameterArn = (parameter: IConstruct) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ssm:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':parameter',
      { Ref: logicalIdOf(parameter) },
    ],
  ],
});

beforeAll(async () => {
  ({ stack, app, template } = await adminAppStack({
    releasePhase: { task: 'migrate' },
    parameters: { NOTES_PAGE_SIZE: '100', GREETING: 'hello' },
  }));
  resources = template.toJSON().Resources as Resources;
});

afterAll(removeOutdirs);

describe('DeployedConfig', () => {
  it('is a custom resource with the stage, its ledger and a digest of each declared value', () => {
    const resource = resources[logicalIdOf(app.deployedConfig!.resource)]!;
    expect(resource.Type).toBe('Custom::CnfDeployedConfig');
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [logicalIdOf(app.deployedConfig!.provider), 'Arn'] },
      ServiceTimeout: '300',
      ParameterPath: '/notes/prod/',
      Stage: 'prod',
      TableName: { Ref: logicalIdOf(app.ledger.table) },
      // Values are plain and in the template anyway; a digest keeps the properties short and still changes with them.
      Declared: { GREETING: digest('hello'), NOTES_PAGE_SIZE: digest('100') },
    });
  });

  it('changes its properties when, and only when, a declared value changes', async () => {
    const declaredOf = async (parameters: Record<string, string>) => {
      const { app: other, template: otherTemplate } = await adminAppStack({ parameters });
      const otherResources = otherTemplate.toJSON().Resources as Resources;
      return otherResources[logicalIdOf(other.deployedConfig!.resource)]!.Properties.Declared;
    };
    expect(await declaredOf({ NOTES_PAGE_SIZE: '100', GREETING: 'hello' })).toEqual(
      resources[logicalIdOf(app.deployedConfig!.resource)]!.Properties.Declared,
    );
    expect(await declaredOf({ NOTES_PAGE_SIZE: '50', GREETING: 'hello' })).toEqual({
      GREETING: digest('hello'),
      NOTES_PAGE_SIZE: digest('50'),
    });
  });

  it('runs after the declared parameters are written and the live-alias guard; the release phase and both aliases wait for it', () => {
    const deployed = logicalIdOf(app.deployedConfig!.resource);
    const dependsOn = resources[deployed]!.DependsOn ?? [];
    expect(dependsOn).toContain(logicalIdOf(app.parameters.values.NOTES_PAGE_SIZE!));
    expect(dependsOn).toContain(logicalIdOf(app.parameters.values.GREETING!));
    // after the live-alias guard, which refuses a deploy while the stage lock is held, before this takes that lock
    const [guard] = Object.entries(resources).find(([, resource]) => resource.Type === 'Custom::CnfLiveAliasGuard') ?? [];
    expect(guard).toBeDefined();
    expect(dependsOn).toContain(guard);
    expect(resources[logicalIdOf(app.webAlias)]!.DependsOn).toContain(deployed);
    expect(resources[logicalIdOf(app.adminAlias)]!.DependsOn).toContain(deployed);
    expect(resources[logicalIdOf(app.releasePhase!.resource)]!.DependsOn).toContain(deployed);
  });

  it('is absent from a stage that declares no plain values', async () => {
    const { app: bare, template: bareTemplate } = await adminAppStack();
    expect(bare.deployedConfig).toBeUndefined();
    expect(Object.values(bareTemplate.toJSON().Resources as Resources).map((resource) => resource.Type)).not.toContain(
      'Custom::CnfDeployedConfig',
    );
  });

  it('has a provider role that reads the declared parameters, reads and writes _cnf/live, and writes config items and the stage lock only', () => {
    const table = { 'Fn::GetAtt': [logicalIdOf(app.ledger.table), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(app.deployedConfig!.provider.role!) }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalIdOf(app.deployedConfig!.node.findChild('ProviderLogs')), 'Arn'] },
          },
          {
            Action: 'ssm:GetParameters',
            Effect: 'Allow',
            // Exactly the declared parameters: their ARNs from their names (a slash-rooted path).
            Resource: [parameterArn(app.parameters.values.NOTES_PAGE_SIZE!), parameterArn(app.parameters.values.GREETING!)],
          },
          {
            Action: ['ssm:GetParameter', 'ssm:PutParameter'],
            Effect: 'Allow',
            Resource: stackArn('ssm', 'parameter/notes/prod/_cnf/live'),
          },
          {
            Action: 'dynamodb:PutItem',
            Effect: 'Allow',
            Resource: table,
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['config#*'] } },
          },
          {
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
            Effect: 'Allow',
            Resource: table,
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['lock#cnf:stage'] } },
          },
        ],
      },
    });
  });

  it('leaves no AwsSolutions finding unacknowledged, and acknowledges only the runtime (L1)', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const acknowledged = app.deployedConfig!.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules');
    expect(acknowledged.flatMap((entry) => Object.keys(entry.data as Record<string, string>))).toEqual(['Annotation::AwsSolutions-L1']);
  });

  it('ships the provider as an asset bundled by esbuild that requires only the SDK of the Lambda runtime', () => {
    const provider = resources[logicalIdOf(app.deployedConfig!.provider)]!;
    expect(provider.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 180 });
    expect(provider.Properties.Code).toHaveProperty('S3Key');
    const code = new TextDecoder().decode(deployedConfigHandlerCode().code);
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!));
    expect([...required].filter((name) => !name.startsWith('@aws-sdk/client-') && !name.startsWith('node:'))).toEqual([]);
    const module = { exports: {} as { handler?: unknown } };
    new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(import.meta.url));
    expect(typeof module.exports.handler).toBe('function');
  });
});
