import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../lib/bundle/build-bundle.js';
import type { AdminApp } from '../../lib/construct/admin-app.js';
import { inlineHandlerCode } from '../../lib/construct/private/inline-handler.js';
import type { LiveAliasGuard } from '../../lib/construct/private/live-alias-guard.js';
import { adminAppStack, logicalIdOf, notesBundle, removeOutdirs } from './support/admin-app-stack.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;

let bundle: Bundle;
let app: AdminApp;
let template: Template;
let resources: Resources;
let guard: LiveAliasGuard;

beforeAll(async () => {
  bundle = await notesBundle();
  ({ app, template } = await adminAppStack({ releasePhase: { task: 'migrate' } }));
  resources = template.toJSON().Resources as Resources;
  guard = app.node.findChild('LiveAliasGuard') as LiveAliasGuard;
});

afterAll(removeOutdirs);

describe('LiveAliasGuard', () => {
  it('is updated whenever the aliases move: its properties are the versions they move to', () => {
    const resource = resources[logicalIdOf(guard.resource)]!;
    expect(resource.Type).toBe('Custom::CnfLiveAliasGuard');
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [logicalIdOf(guard.provider), 'Arn'] },
      ServiceTimeout: '180',
      Release: bundle.release,
      Stage: 'prod',
      WebFunction: { Ref: logicalIdOf(app.webFunction) },
      AdminFunction: { Ref: logicalIdOf(app.adminFunction) },
      AliasName: 'live',
      WebVersion: { 'Fn::GetAtt': [logicalIdOf(app.webVersion), 'Version'] },
      AdminVersion: { 'Fn::GetAtt': [logicalIdOf(app.adminVersion), 'Version'] },
      Table: { Ref: logicalIdOf(app.ledger.table) },
      PartitionKey: 'pk',
      LockKey: 'lock#cnf:stage',
      LeaseAttribute: 'leaseExpiresAt',
      RecordKey: 'deploy#live-aliases',
    });
  });

  it('comes before both aliases and the release phase, so that CloudFormation rolls it back after the aliases', () => {
    const id = logicalIdOf(guard.resource);
    expect(resources[logicalIdOf(app.webAlias)]!.DependsOn).toContain(id);
    expect(resources[logicalIdOf(app.adminAlias)]!.DependsOn).toContain(id);
    expect(resources[logicalIdOf(app.releasePhase!.resource)]!.DependsOn).toContain(id);
  });

  it('has a provider of inline code whose role reads and moves the two live aliases, its own ledger item and the stack status, nothing else', () => {
    const provider = resources[logicalIdOf(guard.provider)]!;
    expect(provider.Properties).toMatchObject({
      Handler: 'index.handler',
      Timeout: 60,
      Code: { ZipFile: inlineHandlerCode('live-alias-guard-handler') },
    });
    const table = { 'Fn::GetAtt': [logicalIdOf(app.ledger.table), 'Arn'] };
    const fn = (construct: AdminApp['webFunction']) => {
      const arn = { 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] };
      return [arn, { 'Fn::Join': ['', [arn, ':live']] }];
    };
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(guard.provider.role!) }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalIdOf(guard.node.findChild('ProviderLogs')), 'Arn'] },
          },
          {
            Action: ['lambda:GetAlias', 'lambda:UpdateAlias'],
            Effect: 'Allow',
            Resource: [...fn(app.webFunction), ...fn(app.adminFunction)],
          },
          {
            Action: 'dynamodb:GetItem',
            Effect: 'Allow',
            Resource: table,
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['lock#cnf:stage', 'deploy#live-aliases'] } },
          },
          {
            Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
            Effect: 'Allow',
            Resource: table,
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['deploy#live-aliases'] } },
          },
          { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
        ],
      },
    });
    // The role has that one policy, and no managed policy.
    const role = resources[logicalIdOf(guard.provider.role!)]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: logicalIdOf(guard.provider.role!) }]),
    );
    expect(policies).toHaveLength(1);
  });

  it('ships the provider as CommonJS that requires only the SDK of the Lambda runtime', () => {
    const code = inlineHandlerCode('live-alias-guard-handler');
    expect(code).toContain('module.exports');
    expect([...code.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]).sort()).toEqual([
      '@aws-sdk/client-cloudformation',
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-lambda',
    ]);
  });

  it('is on every stage, with or without a release phase, and leaves cdk-nag nothing to report', async () => {
    const { app: plain, stack } = await adminAppStack();
    const plainGuard = plain.node.findChild('LiveAliasGuard') as LiveAliasGuard;
    expect(plainGuard.resource).toBeDefined();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const acknowledged = plainGuard.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => id.replace(/^Annotation::/, '')));
    // Only the runtime: every grant of the guard is on named resources, no wildcard.
    expect(acknowledged).toEqual(['AwsSolutions-L1']);
  });
});
