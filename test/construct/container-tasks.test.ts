import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc, type ISecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Cluster } from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '../../lib/bundle/build-bundle.js';
import type { StageRecord } from '../../lib/core/stage-record.js';
import type { AdminApp } from '../../lib/construct/admin-app.js';
import { AdminApp as AdminAppConstruct } from '../../lib/construct/admin-app.js';
import { ConstructValidationError } from '../../lib/construct/errors.js';
import { evaluate, logicalIdOf, newStack, notesBundle, removeOutdirs } from './support/admin-app-stack.js';

/** A VPC and a security group the stack imports: the construct creates no network of its own. */
function network(stack: Stack): { vpc: IVpc; securityGroups: ISecurityGroup[] } {
  const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-private-a', 'subnet-private-b'],
    publicSubnetIds: ['subnet-public-a', 'subnet-public-b'],
  });
  return { vpc, securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'Tasks', 'sg-tasks', { mutable: false })] };
}

function recordOf(template: Template, app: AdminApp): StageRecord {
  const value = template.toJSON().Resources[logicalIdOf(app.stageRecord.parameter)].Properties.Value as unknown;
  return JSON.parse(evaluate(value, {}) as string) as StageRecord;
}

let bundle: Bundle;
let stack: Stack;
let app: AdminApp;
let template: Template;

beforeAll(async () => {
  bundle = await notesBundle();
  stack = newStack();
  app = new AdminAppConstruct(stack, 'App', { app: 'notes', stage: 'prod', bundle, containerTasks: network(stack) });
  template = Template.fromStack(stack);
});

afterAll(removeOutdirs);

describe('container tasks of a release (ECS Fargate)', () => {
  it('get a Fargate task definition of the release, retained when the next release replaces it', () => {
    template.hasResource('AWS::ECS::TaskDefinition', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Family: `notes-prod-admin-${bundle.release}`,
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '1024',
        Memory: '2048',
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      },
    });
  });

  it("runs the release's image with the admin function's environment, logging to the admin log group", () => {
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const [container] = definition?.Properties.ContainerDefinitions as Record<string, unknown>[];
    expect(container).toMatchObject({ Name: 'admin', Essential: true, StopTimeout: 120 });
    const environment = Object.fromEntries(
      (container?.Environment as { Name: string; Value: unknown }[]).map((entry) => [entry.Name, entry.Value]),
    );
    expect(environment).toMatchObject({
      CNF_APP: 'notes',
      CNF_STAGE: 'prod',
      CNF_RELEASE: bundle.release,
      CNF_PARAMETER_PATH: '/notes/prod/',
      CNF_LEDGER_TABLE: { Ref: logicalIdOf(app.ledger.table) },
      CNF_CONSOLE_ENABLED: 'false',
      CNF_LOG_STREAM_PREFIX: 'task/admin',
    });
    expect(container?.LogConfiguration).toEqual({
      LogDriver: 'awslogs',
      Options: {
        'awslogs-group': { Ref: logicalIdOf(app.adminFunction.logGroup) },
        'awslogs-stream-prefix': 'task',
        'awslogs-region': { Ref: 'AWS::Region' },
      },
    });
    expect(JSON.stringify(container?.Image)).toContain('container-assets');
  });

  it('stages the image build context offline: a Dockerfile FROM the official Node 22 image, and exactly the bundle’s bytes', () => {
    const assembly = (stack.node.root as unknown as { synth(): { directory: string } }).synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]?.source.platform).toBe('linux/arm64');
    const context = join(assembly.directory, images[0]?.source.directory ?? '');
    const dockerfile = readFileSync(join(context, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/docker\/library\/node:22-slim$/m);
    expect(dockerfile).toContain('COPY bundle/ /var/task/');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/opt/cnf-admin/container-runner.mjs"]');
    const staged = readdirSync(join(context, 'bundle'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    expect(staged).toHaveLength(bundle.files.length);
    for (const file of bundle.files) {
      expect(Buffer.compare(readFileSync(join(context, 'bundle', file.path)), Buffer.from(file.contents)), file.path).toBe(0);
    }
    expect(readFileSync(join(context, 'container-runner.mjs'), 'utf8')).toContain('CNF_ADMIN_EVENT');
  });

  it("gives the task role the admin function's permissions: the parameter set, the ledger, and what tasks declare", () => {
    const taskRole = logicalIdOf(app.containerTasks!.taskRole);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] },
    });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: taskRole }] } });
    const actions = Object.values(policies).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((statement) => statement.Action),
    );
    expect(actions).toEqual(expect.arrayContaining(['ssm:GetParametersByPath', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    // The execution role pulls the image and writes the logs; it is not the task role.
    expect(logicalIdOf(app.containerTasks!.executionRole)).not.toBe(taskRole);
  });

  it('lets only ECS tasks of this account and region take the task and execution roles', () => {
    for (const role of [app.containerTasks!.taskRole, app.containerTasks!.executionRole]) {
      const document = template.toJSON().Resources[logicalIdOf(role)].Properties.AssumeRolePolicyDocument;
      expect(document.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.anything() },
          },
        }),
      ]);
      expect(evaluate(document.Statement[0].Condition.ArnLike['aws:SourceArn'], {})).toBe(
        'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:*',
      );
    }
  });

  it('makes the admin function the gate: it alone may run the task definitions on the cluster and pass the two roles, to ECS tasks only', () => {
    const adminRole = logicalIdOf(app.adminFunction.role!);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: adminRole }] } });
    const statements = Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[],
    );
    const run = statements.find((statement) => statement.Action === 'ecs:RunTask');
    expect(evaluate(run?.Resource, {})).toBe(
      'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/notes-prod-admin-*:*',
    );
    expect(run?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [logicalIdOf(app.containerTasks!.cluster), 'Arn'] } } });
    const pass = statements.find((statement) => statement.Action === 'iam:PassRole');
    expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(pass?.Resource).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(app.containerTasks!.taskRole), 'Arn'] },
      { 'Fn::GetAtt': [logicalIdOf(app.containerTasks!.executionRole), 'Arn'] },
    ]);
    // Its environment says which task definition revision, cluster and network it starts.
    const environment = template.toJSON().Resources[logicalIdOf(app.adminFunction)].Properties.Environment.Variables;
    const settings = JSON.parse(evaluate(environment.CNF_CONTAINER, {}) as string) as Record<string, unknown>;
    expect(settings).toMatchObject({
      containerName: 'admin',
      taskDefinition: `<${logicalIdOf(app.containerTasks!.taskDefinition)}>`,
      subnets: ['subnet-private-a', 'subnet-private-b'],
      securityGroups: ['sg-tasks'],
      assignPublicIp: false,
    });
  });

  it('creates a cluster with Container Insights, and no network: the VPC, subnets and security groups are the props', () => {
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'notes-prod-admin',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
  });

  it('writes into the stage record what the CLI needs: cluster, family, subnets, security groups, roles, tasks', () => {
    const record = recordOf(template, app);
    expect(record.container).toMatchObject({
      taskFamily: `notes-prod-admin-${bundle.release}`,
      containerName: 'admin',
      subnets: ['subnet-private-a', 'subnet-private-b'],
      securityGroups: ['sg-tasks'],
      assignPublicIp: false,
      tasks: [{ name: 'notes:backfill', timeLimitSeconds: 4 * 3600 + 60 }],
    });
  });

  it('leaves no AwsSolutions finding unacknowledged, each acknowledgement with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledged.map(([id]) => id.replace(/^Annotation::/, ''))).toEqual(
      expect.arrayContaining(['AwsSolutions-ECS2', 'AwsSolutions-IAM5[Resource::*]']),
    );
    for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(60);
  });
});

describe('container tasks: the other shapes', () => {
  it('run on a given cluster, in the given subnets, without creating one', async () => {
    const other = newStack();
    const net = network(other);
    const cluster = Cluster.fromClusterAttributes(other, 'Shared', { clusterName: 'shared', vpc: net.vpc });
    const withCluster = new AdminAppConstruct(other, 'App', {
      app: 'notes',
      stage: 'prod',
      bundle,
      containerTasks: { ...net, cluster, vpcSubnets: { subnets: [net.vpc.publicSubnets[0]!] }, assignPublicIp: true },
    });
    const otherTemplate = Template.fromStack(other);
    otherTemplate.resourceCountIs('AWS::ECS::Cluster', 0);
    expect(recordOf(otherTemplate, withCluster).container).toMatchObject({ subnets: ['subnet-public-a'], assignPublicIp: true });
  });

  it('are left out, with a synth warning naming the prop, when the app does not say where they run', async () => {
    const other = newStack();
    const without = new AdminAppConstruct(other, 'App', { app: 'notes', stage: 'prod', bundle });
    const otherTemplate = Template.fromStack(other);
    otherTemplate.resourceCountIs('AWS::ECS::TaskDefinition', 0);
    expect(without.containerTasks).toBeUndefined();
    expect(recordOf(otherTemplate, without).container).toBeUndefined();
    const warnings = without.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));
    expect(warnings.join('\n')).toContain('notes:backfill run as container tasks');
  });

  it('list a script that declares the container runtime in the stage record, so that the CLI follows its run', () => {
    const other = newStack();
    const script = {
      name: 'scripts/long-fix.ts',
      description: 'A long fix',
      args: {},
      lock: false,
      runtime: 'container' as const,
      timeoutSeconds: 7200,
    };
    const onlyScript = {
      ...bundle,
      catalog: { tasks: bundle.catalog.tasks.filter((info) => info.runtime !== 'container'), scripts: [script] },
    };
    const withScript = new AdminAppConstruct(other, 'App', {
      app: 'notes',
      stage: 'prod',
      bundle: onlyScript,
      containerTasks: network(other),
    });
    expect(recordOf(Template.fromStack(other), withScript).container?.tasks).toEqual([
      { name: 'scripts/long-fix.ts', timeLimitSeconds: 7260 },
    ]);
  });

  it('refuse an empty list of security groups', () => {
    const other = newStack();
    expect(
      () =>
        new AdminAppConstruct(other, 'App', {
          app: 'notes',
          stage: 'prod',
          bundle,
          containerTasks: { ...network(other), securityGroups: [] },
        }),
    ).toThrow(ConstructValidationError);
  });
});
