import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, type Bundle } from '../../../lib/bundle/build-bundle.js';
import { loadProject } from '../../../lib/core/project.js';
import type { AdminApp } from '../../../lib/construct/admin-app.js';
import { ConstructValidationError } from '../../../lib/construct/errors.js';
import { createTestProject, type TestProject } from '../../support/test-project.js';
import { adminAppStack, logicalIdOf, removeOutdirs } from '../support/admin-app-stack.js';

const EXPORTS = 'arn:aws:s3:::notes-exports/*';
const EVENTS = 'arn:aws:sqs:eu-west-1:123456789012:notes-events';
const AUDIT = 'arn:aws:dynamodb:eu-west-1:123456789012:table/notes-audit';

/** Adds `options` to the definition in a module of the project (it has none of its own). */
function declare(project: TestProject, file: string, options: string, after: string): void {
  const path = join(project.dir, file);
  const source = readFileSync(path, 'utf8');
  if (!source.includes(after)) throw new Error(`${file} has no ${after}`);
  writeFileSync(path, source.replace(after, `${after}\n  options: ${options},`));
}

/** The statements of the policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement);
}

/** The cdk-nag findings acknowledged anywhere in the stack, by id. */
function acknowledgedIn(stack: Stack): Map<string, string> {
  return new Map(
    stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => [id.replace(/^Annotation::/, ''), reason]),
  );
}

let project: TestProject;
let bundle: Bundle;
let stack: Stack;
let app: AdminApp;
let template: Template;

beforeAll(async () => {
  // Given the notes app, where two tasks declare the same S3 access (in another order), one also a queue, and a script a table
  project = createTestProject('notes');
  declare(
    project,
    'lambda/tasks/seed.ts',
    `{ permissions: [{ actions: ['s3:PutObject', 's3:GetObject'], resources: ['${EXPORTS}'] }, { actions: ['sqs:SendMessage'], resources: ['${EVENTS}'] }] }`,
    "description: 'Insert sample notes, for a fresh development database',",
  );
  declare(
    project,
    'lambda/tasks/notes-purge.ts',
    `{ permissions: [{ actions: ['s3:GetObject', 's3:PutObject', 's3:GetObject'], resources: ['${EXPORTS}'] }] }`,
    "description: 'Delete notes older than a number of days',",
  );
  declare(
    project,
    'scripts/fix-bad-records.ts',
    `{ permissions: [{ actions: ['dynamodb:Get*'], resources: ['${AUDIT}'] }] }`,
    `description: 'Trim note titles and name blank ones "(untitled)"',`,
  );
  bundle = await buildBundle(loadProject(project.dir));
  ({ stack, app, template } = await adminAppStack({ bundle }));
});

afterAll(async () => {
  await project.cleanup();
  removeOutdirs();
});

describe('what tasks declare (options.permissions)', () => {
  it('travels in the catalog, for tasks and scripts', () => {
    expect(bundle.catalog.tasks.find((task) => task.name === 'seed')?.permissions).toHaveLength(2);
    expect(bundle.catalog.scripts.find((script) => script.name === 'scripts/fix-bad-records.ts')?.permissions).toEqual([
      { actions: ['dynamodb:Get*'], resources: [AUDIT] },
    ]);
  });

  it('is granted to the admin role, one statement per permission, the same permission once', () => {
    const statements = statementsOf(template, logicalIdOf(app.adminFunction.role!));
    const declared = [
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: EXPORTS },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: EVENTS },
      { Action: 'dynamodb:Get*', Effect: 'Allow', Resource: AUDIT },
    ];
    expect(statements.slice(-declared.length)).toEqual(declared);
    expect(statements.filter((statement) => JSON.stringify(statement).includes('s3:'))).toHaveLength(1);
  });

  it('is not granted to the web function', () => {
    const statements = JSON.stringify(statementsOf(template, logicalIdOf(app.webFunction.role!)));
    for (const action of ['s3:', 'sqs:', 'dynamodb:']) expect(statements).not.toContain(action);
  });

  it('comes after adminPolicyStatements, which stay as they are', async () => {
    const extra = new PolicyStatement({ actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::notes-exports'] });
    const { app: both, template: bothTemplate } = await adminAppStack({ bundle, adminPolicyStatements: [extra] });
    const statements = statementsOf(bothTemplate, logicalIdOf(both.adminFunction.role!));
    expect(statements.slice(-4)).toEqual([
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: 'arn:aws:s3:::notes-exports' },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: EXPORTS },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: EVENTS },
      { Action: 'dynamodb:Get*', Effect: 'Allow', Resource: AUDIT },
    ]);
  });

  it('leaves cdk-nag clean: each wildcard a task declares is acknowledged with a reason naming the tasks that declare it', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const acknowledged = acknowledgedIn(stack);
    expect(acknowledged.get(`AwsSolutions-IAM5[Resource::${EXPORTS}]`)).toMatch(
      /^Declared by tasks notes:purge, seed in options\.permissions/,
    );
    expect(acknowledged.get('AwsSolutions-IAM5[Action::dynamodb:Get*]')).toMatch(
      /^Declared by task scripts\/fix-bad-records\.ts in options\.permissions/,
    );
    // Nothing without a wildcard is acknowledged.
    expect([...acknowledged.keys()].filter((id) => id.includes('sqs') || id.includes('notes-audit'))).toEqual([]);
  });

  it('is refused at synth when a task declares every action of every service', async () => {
    const greedy: Bundle = {
      ...bundle,
      catalog: {
        ...bundle.catalog,
        tasks: bundle.catalog.tasks.map((task) =>
          task.name === 'migrate' ? { ...task, permissions: [{ actions: ['*'], resources: ['*'] }] } : task,
        ),
      },
    };
    const attempt = adminAppStack({ bundle: greedy });
    await expect(attempt).rejects.toBeInstanceOf(ConstructValidationError);
    await expect(attempt).rejects.toThrow('Task migrate declares the action "*" (every action of every service) in options.permissions');
  });
});
