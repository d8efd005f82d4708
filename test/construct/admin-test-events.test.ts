import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../lib/bundle/build-bundle.js';
import type { AdminApp } from '../../lib/construct/admin-app.js';
import { adminAppStack, logicalIdOf, notesBundle, removeOutdirs, stackArn } from './support/admin-app-stack.js';

interface SdkCall {
  readonly service: string;
  readonly action: string;
  readonly parameters: Record<string, string>;
  readonly ignoreErrorCodesMatching?: string;
}

let bundle: Bundle;
let app: AdminApp;
let template: Template;

beforeAll(async () => {
  bundle = await notesBundle();
  ({ app, template } = await adminAppStack());
});

afterAll(removeOutdirs);

/** The SDK calls of the AwsCustomResource with this construct id under the test events. */
function callsOf(id: string): { create?: SdkCall; update?: SdkCall; delete?: SdkCall } {
  const logicalId = logicalIdOf(app.testEvents!.node.findChild(id).node.findChild('Resource'));
  const properties = template.toJSON().Resources[logicalId].Properties as Record<string, string | undefined>;
  const parse = (value: string | undefined) => (value === undefined ? undefined : (JSON.parse(value) as SdkCall));
  return { create: parse(properties.Create), update: parse(properties.Update), delete: parse(properties.Delete) };
}

const schemaArn = stackArn('schemas', 'schema/lambda-testevent-schemas/_notes-prod-admin-schema');

describe('AdminTestEvents', () => {
  it('creates the shared registry only when it is missing, and never deletes it', () => {
    const calls = callsOf('Registry');
    expect(calls.create).toMatchObject({
      service: 'schemas',
      action: 'CreateRegistry',
      parameters: { RegistryName: 'lambda-testevent-schemas' },
      ignoreErrorCodesMatching: 'ConflictException',
    });
    expect(calls.delete).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'schemas:CreateRegistry',
            Effect: 'Allow',
            Resource: stackArn('schemas', 'registry/lambda-testevent-schemas'),
          },
        ],
      },
    });
  });

  it('creates the schema _<admin-function-name>-schema unless the console made it, and deletes it with the stack', () => {
    const calls = callsOf('Schema');
    expect(calls.create).toMatchObject({
      action: 'CreateSchema',
      parameters: { RegistryName: 'lambda-testevent-schemas', SchemaName: '_notes-prod-admin-schema', Type: 'OpenApi3' },
      ignoreErrorCodesMatching: 'ConflictException',
    });
    expect(calls.delete).toMatchObject({ action: 'DeleteSchema', ignoreErrorCodesMatching: 'NotFoundException' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['schemas:CreateSchema', 'schemas:DeleteSchema'], Effect: 'Allow', Resource: schemaArn }] },
    });
  });

  it("writes one example per task of the release's catalog, on create and on every update", () => {
    const calls = callsOf('Content');
    expect(calls.update).toEqual(calls.create);
    expect(calls.create).toMatchObject({
      action: 'UpdateSchema',
      parameters: { SchemaName: '_notes-prod-admin-schema', Type: 'OpenApi3' },
    });
    const content = JSON.parse(calls.create!.parameters.Content!) as { components: { examples: Record<string, { value: unknown }> } };
    expect(content.components.examples).toEqual({
      migrate: { value: { task: 'migrate', args: { force: false } } },
      'notes-backfill': { value: { task: 'notes:backfill', args: { afterId: 0, batchSize: 500, pauseMs: 0 } } },
      'notes-purge': { value: { task: 'notes:purge', args: { dryRun: false } } },
      seed: { value: { task: 'seed', args: { count: 5 } } },
    });
    expect(Object.keys(content.components.examples)).toHaveLength(bundle.catalog.tasks.length);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'schemas:UpdateSchema', Effect: 'Allow', Resource: schemaArn }] },
    });
  });

  it('makes the registry, then the schema, then its content, with no SDK installed at deploy time', () => {
    const ids = ['Registry', 'Schema', 'Content'].map((id) => logicalIdOf(app.testEvents!.node.findChild(id).node.findChild('Resource')));
    const resources = template.toJSON().Resources as Record<
      string,
      { DependsOn?: string[]; Properties: { InstallLatestAwsSdk?: boolean } }
    >;
    expect(resources[ids[1]!]!.DependsOn).toContain(ids[0]);
    expect(resources[ids[2]!]!.DependsOn).toContain(ids[1]);
    for (const id of ids) expect(resources[id]!.Properties.InstallLatestAwsSdk).toBe(false);
  });

  it("gives the provider function a log group that expires, not Lambda's auto-created one", () => {
    // given: the one provider function of the stack
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Handler: 'index.handler', Runtime: Match.stringLikeRegexp('^nodejs') },
    });
    const provider = Object.values(functions).find(
      (resource) => (resource as { Properties: { LoggingConfig?: unknown } }).Properties.LoggingConfig !== undefined,
    ) as { Properties: { LoggingConfig: { LogGroup: { Ref: string } } } } | undefined;
    // then: it logs to a log group of the stack, with a retention
    expect(provider).toBeDefined();
    const logGroupId = provider!.Properties.LoggingConfig.LogGroup.Ref;
    expect(template.toJSON().Resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
  });

  it('can be switched off', async () => {
    const { app: without, template: withoutTemplate } = await adminAppStack({ testEvents: false });
    expect(without.testEvents).toBeUndefined();
    withoutTemplate.resourceCountIs('Custom::AWS', 0);
  });
});
