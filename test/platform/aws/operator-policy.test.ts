/**
 * The operator policy covers every AWS call the CLI makes: every command
 * runs in-process against mocked AWS, each call sent is mapped to its IAM
 * action and resource (by this test's own table), and each must be allowed
 * by the policy `cnf-admin policy` prints.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../../../lib/cli/main.js';
import type { PolicyDocument } from '../../../lib/platform/aws/operator-policy.js';
import { COMMAND_RUNS, PARAMETER_KEY } from '../../support/aws-command-runs.js';
import { CONTAINER_RECORD, containerScenario } from '../../support/aws-container-scenario.js';
import { healthyScenario, installScenario, type AwsScenario, type SentCommand } from '../../support/aws-scenario.js';
import { FIXTURE_ROOT } from '../../support/aws-platform.js';
import { REPO_ROOT } from '../../support/cli.js';
import { memoryIo } from '../../support/memory-io.js';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AdminApp } from '../../../lib/construct/admin-app.js';
import { evaluate, logicalIdOf, newStack, notesBundle, removeOutdirs } from '../../construct/support/admin-app-stack.js';

const ARN = 'arn:aws:%s:eu-west-1:123456789012:';
const arn = (service: string, resource: string): string => `${ARN.replace('%s', service)}${resource}`;

/** An IAM action on a resource (and, for a DynamoDB item, its partition key: `dynamodb:LeadingKeys`). */
type Needed = { readonly action: string; readonly resource: string; readonly leadingKey?: string };

/** The partition key of a DynamoDB item command's item. */
function leadingKeyOf(input: Record<string, unknown>): string {
  const key = (input.Item ?? input.Key) as { pk?: { S?: string } } | undefined;
  return String(key?.pk?.S);
}

/**
 * Each SDK command the CLI may send, as IAM sees it: what the caller needs,
 * including what the service then does in the caller's name. `undefined`:
 * needs no permission.
 */
const IAM: Readonly<Record<string, ((input: Record<string, unknown>) => Needed | readonly Needed[]) | undefined>> = {
  GetParameterCommand: (input) => ({ action: 'ssm:GetParameter', resource: arn('ssm', `parameter${String(input.Name)}`) }),
  PutParameterCommand: (input) => [
    { action: 'ssm:PutParameter', resource: arn('ssm', `parameter${String(input.Name)}`) },
    // SSM encrypts with the caller's permissions on a customer managed key: Encrypt (standard tier), GenerateDataKey (advanced).
    ...(input.KeyId === undefined
      ? []
      : ['kms:Encrypt', 'kms:GenerateDataKey'].map((action) => ({ action, resource: String(input.KeyId) }))),
  ],
  DeleteParameterCommand: (input) => ({ action: 'ssm:DeleteParameter', resource: arn('ssm', `parameter${String(input.Name)}`) }),
  GetParametersByPathCommand: (input) => ({
    action: 'ssm:GetParametersByPath',
    resource: arn('ssm', `parameter${String(input.Path).replace(/\/$/, '')}`),
  }),
  GetAliasCommand: (input) => ({
    action: 'lambda:GetAlias',
    resource: arn('lambda', `function:${String(input.FunctionName)}:${String(input.Name)}`),
  }),
  ListAliasesCommand: (input) => ({ action: 'lambda:ListAliases', resource: arn('lambda', `function:${String(input.FunctionName)}`) }),
  ListVersionsByFunctionCommand: (input) => ({
    action: 'lambda:ListVersionsByFunction',
    resource: arn('lambda', `function:${String(input.FunctionName)}`),
  }),
  GetFunctionConfigurationCommand: (input) => ({
    action: 'lambda:GetFunctionConfiguration',
    resource: arn('lambda', `function:${String(input.FunctionName)}:${String(input.Qualifier)}`),
  }),
  InvokeCommand: (input) => ({
    action: 'lambda:InvokeFunction',
    resource: arn('lambda', `function:${String(input.FunctionName)}:${String(input.Qualifier)}`),
  }),
  InvokeWithResponseStreamCommand: (input) => ({
    action: 'lambda:InvokeFunction',
    resource: arn('lambda', `function:${String(input.FunctionName)}:${String(input.Qualifier)}`),
  }),
  FilterLogEventsCommand: (input) => ({
    action: 'logs:FilterLogEvents',
    resource: arn('logs', `log-group:${String(input.logGroupName)}:*`),
  }),
  StartLiveTailCommand: (input) => ({ action: 'logs:StartLiveTail', resource: String((input.logGroupIdentifiers as string[])[0]) }),
  QueryCommand: (input) => ({
    action: 'dynamodb:Query',
    resource: arn('dynamodb', `table/${String(input.TableName)}/index/${String(input.IndexName)}`),
  }),
  GetItemCommand: (input) => ({ action: 'dynamodb:GetItem', resource: arn('dynamodb', `table/${String(input.TableName)}`) }),
  // The config history, the stage lock and a rollback's run: only items under the operator's key prefixes.
  PutItemCommand: (input) => ({
    action: 'dynamodb:PutItem',
    resource: arn('dynamodb', `table/${String(input.TableName)}`),
    leadingKey: leadingKeyOf(input),
  }),
  UpdateItemCommand: (input) => ({
    action: 'dynamodb:UpdateItem',
    resource: arn('dynamodb', `table/${String(input.TableName)}`),
    leadingKey: leadingKeyOf(input),
  }),
  DeleteItemCommand: (input) => ({
    action: 'dynamodb:DeleteItem',
    resource: arn('dynamodb', `table/${String(input.TableName)}`),
    leadingKey: leadingKeyOf(input),
  }),
  GetParametersCommand: (input) =>
    (input.Names as string[]).map((name) => ({
      action: 'ssm:GetParameters',
      resource: arn('ssm', `parameter${name.replace(/:\d+$/, '')}`),
    })),
  GetParameterHistoryCommand: (input) => ({ action: 'ssm:GetParameterHistory', resource: arn('ssm', `parameter${String(input.Name)}`) }),
  UpdateAliasCommand: (input) => ({
    action: 'lambda:UpdateAlias',
    resource: arn('lambda', `function:${String(input.FunctionName)}:${String(input.Name)}`),
  }),
  // STS GetCallerIdentity needs no permission, and no policy can deny it.
  GetCallerIdentityCommand: undefined,
  DescribeTasksCommand: (input) => (input.tasks as string[]).map((task) => ({ action: 'ecs:DescribeTasks', resource: task })),
  DescribeStacksCommand: (input) => ({
    action: 'cloudformation:DescribeStacks',
    resource: arn('cloudformation', `stack/${String(input.StackName)}/0a1b2c3d-0000-4000-8000-000000000000`),
  }),
};

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** Whether a statement's conditions hold for the call: `dynamodb:LeadingKeys` is the one the policy uses. */
function conditionHolds(statement: PolicyDocument['Statement'][number], leadingKey: string | undefined): boolean {
  if (statement.Condition === undefined) return true;
  return Object.entries(statement.Condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => {
      if (key !== 'dynamodb:LeadingKeys' || leadingKey === undefined) return false;
      const patterns = [values].flat() as string[];
      return operator.endsWith('StringEquals') ? patterns.includes(leadingKey) : patterns.some((pattern) => glob(pattern).test(leadingKey));
    }),
  );
}

/** IAM's answer for one action on one resource: an explicit deny wins, then any allow. */
function allows(policy: PolicyDocument, action: string, resource: string, leadingKey?: string): boolean {
  const matching = policy.Statement.filter(
    (statement) =>
      statement.Action.some((pattern) => glob(pattern).test(action)) &&
      statement.Resource.some((pattern) => glob(pattern).test(resource)) &&
      conditionHolds(statement, leadingKey),
  );
  return matching.length > 0 && matching.every((statement) => statement.Effect === 'Allow');
}

describe('cnf-admin policy', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  afterAll(removeOutdirs);

  async function policyOfStage(scenario: Partial<AwsScenario> = {}): Promise<PolicyDocument> {
    const aws = installScenario(healthyScenario(scenario));
    try {
      const io = memoryIo(FIXTURE_ROOT);
      expect(await cli(['policy', '--stage', 'prod'], io)).toBe(0);
      return JSON.parse(io.stdoutText()) as PolicyDocument;
    } finally {
      aws.restore();
    }
  }

  it('allows every AWS call that every command makes, on every path', async () => {
    // when: every command runs, on its stage, next to the policy of that stage
    const sent: { readonly call: SentCommand; readonly policy: PolicyDocument }[] = [];
    for (const { scenario, args, input } of COMMAND_RUNS) {
      const policy = await policyOfStage(scenario);
      const aws = installScenario(healthyScenario(scenario));
      try {
        const code = await cli([...args], memoryIo(FIXTURE_ROOT, { CNF_LOG_WAIT_SECONDS: '0.1' }, input));
        expect(code, args.join(' ')).toBe(0);
        sent.push(...aws.sent().map((call) => ({ call, policy })));
      } finally {
        aws.restore();
      }
    }

    // then: each call is mapped, and allowed
    const commands = new Set(sent.map(({ call }) => call.command));
    // The stage lock's lease is renewed (UpdateItem) only by a rollback whose release phase outlasts its heartbeat.
    expect([...commands, 'UpdateItemCommand'].sort()).toEqual(Object.keys(IAM).sort());
    const renewal = IAM.UpdateItemCommand?.({ TableName: 'fixture-prod-runs', Key: { pk: { S: 'lock#cnf:stage' } } }) as Needed;
    expect(allows(sent[0]?.policy as PolicyDocument, renewal.action, renewal.resource, renewal.leadingKey)).toBe(true);
    const needs = sent.flatMap(({ call, policy }) => [IAM[call.command]?.(call.input) ?? []].flat().map((needed) => ({ needed, policy })));
    expect(needs.map(({ needed }) => needed.action)).toContain('kms:Encrypt');
    const denied = needs.flatMap(({ needed, policy }) =>
      allows(policy, needed.action, needed.resource, needed.leadingKey) ? [] : [`${needed.action} on ${needed.resource}`],
    );
    expect(denied).toEqual([]);
  });

  it('printed without access (--account, --region), allows the same calls from the names in cdk.json, but for a customer managed key', async () => {
    // given: no AWS at all
    const io = memoryIo(FIXTURE_ROOT);
    expect(await cli(['policy', '--stage', 'prod', '--account', '123456789012', '--region', 'eu-west-1'], io)).toBe(0);
    const offline = JSON.parse(io.stdoutText()) as PolicyDocument;

    // when: every command runs
    const needs: Needed[] = [];
    for (const { scenario, args, input } of COMMAND_RUNS) {
      const aws = installScenario(healthyScenario(scenario));
      try {
        expect(await cli([...args], memoryIo(FIXTURE_ROOT, { CNF_LOG_WAIT_SECONDS: '0.1' }, input)), args.join(' ')).toBe(0);
        needs.push(...aws.sent().flatMap((call) => [IAM[call.command]?.(call.input) ?? []].flat()));
      } finally {
        aws.restore();
      }
    }

    // then: all is allowed but the key that only the deployed stage names, and the container tasks the fixture's release does not declare
    const denied = needs
      .filter((needed) => !allows(offline, needed.action, needed.resource, needed.leadingKey))
      .map((needed) => needed.action);
    expect([...new Set(denied)].sort()).toEqual(['ecs:DescribeTasks', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(allows(offline, 'lambda:InvokeFunction', arn('lambda', 'function:fixture-prod-web:7'))).toBe(false);
    expect(allows(offline, 'ssm:PutParameter', arn('ssm', 'parameter/fixture/prod/_cnf/stage'))).toBe(false);
    expect(allows(offline, 'dynamodb:Query', arn('dynamodb', 'table/fixture-dev-runs/index/x'))).toBe(false);
    expect(io.stderrText()).toContain('customer managed key');
  });

  it('printed without access, covers container tasks only when the project declares some (read from its bundle)', async () => {
    // given: the example app declares a container task; the fixture declares none
    const print = async (root: string, app: string): Promise<PolicyDocument> => {
      const io = memoryIo(root);
      expect(await cli(['policy', '--stage', 'prod', '--account', '123456789012', '--region', 'eu-west-1'], io)).toBe(0);
      const document = JSON.parse(io.stdoutText()) as PolicyDocument;
      expect(allows(document, 'lambda:InvokeFunction', arn('lambda', `function:${app}-prod-admin:3`))).toBe(true);
      return document;
    };

    // when
    const withContainers = await print(REPO_ROOT, 'notes');
    const without = await print(FIXTURE_ROOT, 'fixture');

    // then
    expect(allows(withContainers, 'ecs:DescribeTasks', arn('ecs', 'task/notes-prod-admin/0123'))).toBe(true);
    const ecsOrIam = (document: PolicyDocument) =>
      document.Statement.flatMap((statement) => statement.Action).filter((action) => /^(ecs|iam):/.test(action));
    expect(ecsOrIam(withContainers)).toEqual(['ecs:DescribeTasks']);
    expect(ecsOrIam(without)).toEqual([]);
  });

  it('granted by AdminApp.grantOperate, allows every AWS call that every command makes, as the printed policy does', async () => {
    // given: the stage as the construct builds it, and an operator role granted with grantOperate
    const stack = newStack('fixture-prod');
    const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-a'],
    });
    const app = new AdminApp(stack, 'App', {
      app: 'fixture',
      stage: 'prod',
      bundle: await notesBundle(),
      parameterKey: Key.fromKeyArn(stack, 'Key', PARAMETER_KEY),
      containerTasks: { vpc, securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'Tasks', 'sg-tasks', { mutable: false })] },
    });
    const operator = new Role(stack, 'Operator', { assumedBy: new AccountRootPrincipal() });
    app.grantOperate(operator);
    const refs = {
      'AWS::Partition': 'aws',
      'AWS::Region': 'eu-west-1',
      'AWS::AccountId': '123456789012',
      [logicalIdOf(app.ledger.table)]: 'fixture-prod-runs',
      [logicalIdOf(app.containerTasks!.cluster)]: 'fixture-prod-admin',
    };
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalIdOf(operator) }] },
    });
    const granted: PolicyDocument = {
      Version: '2012-10-17',
      Statement: Object.values(policies).flatMap((policy) =>
        (
          policy.Properties.PolicyDocument.Statement as {
            Effect: 'Allow' | 'Deny';
            Action: unknown;
            Resource: unknown;
            Condition?: never;
          }[]
        ).map((statement, index) => ({
          Sid: String(index),
          Effect: statement.Effect,
          Action: [statement.Action].flat() as string[],
          Resource: [evaluate(statement.Resource, refs)].flat() as string[],
          ...(statement.Condition === undefined ? {} : { Condition: statement.Condition }),
        })),
      ),
    };

    // when: every command runs
    const needs: Needed[] = [];
    for (const { scenario, args, input } of COMMAND_RUNS) {
      const aws = installScenario(healthyScenario(scenario));
      try {
        expect(await cli([...args], memoryIo(FIXTURE_ROOT, { CNF_LOG_WAIT_SECONDS: '0.1' }, input)), args.join(' ')).toBe(0);
        needs.push(...aws.sent().flatMap((call) => [IAM[call.command]?.(call.input) ?? []].flat()));
      } finally {
        aws.restore();
      }
    }

    // then: every call is allowed, and no more than the printed policy allows
    expect(
      needs
        .filter((needed) => !allows(granted, needed.action, needed.resource, needed.leadingKey))
        .map((n) => `${n.action} on ${n.resource}`),
    ).toEqual([]);
    const actions = granted.Statement.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => statement.Action);
    expect(actions.filter((action) => /^(ecs:RunTask|ecs:StopTask|iam:PassRole)$/.test(action))).toEqual([]);
    expect(allows(granted, 'ssm:PutParameter', arn('ssm', 'parameter/fixture/prod/_cnf/stage'))).toBe(false);
    const printed = await policyOfStage(
      containerScenario({ record: { ...containerScenario().record, parameterKey: PARAMETER_KEY, stack: 'fixture-prod' } }),
    );
    const sorted = (document: PolicyDocument) =>
      document.Statement.flatMap((statement) => statement.Action.map((action) => `${statement.Effect} ${action}`)).sort();
    expect(sorted(granted)).toEqual(sorted(printed));
  });

  it('knows every SDK command the AWS platform can send', () => {
    // given: the platform's sources, and the runtime's ledger, which reads runs for it
    const dir = join(REPO_ROOT, 'lib', 'platform', 'aws');
    const ledger = readFileSync(join(REPO_ROOT, 'lib', 'runtime', 'ledger', 'dynamo-ledger.ts'), 'utf8');
    const source = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(dir, file), 'utf8'))
      .join('\n');

    // when
    const used = new Set([...source.matchAll(/new (\w+Command)\(/g)].map((match) => match[1] as string));
    // the SDK's paginators send their command
    for (const match of source.matchAll(/paginate(\w+)\(/g)) used.add(`${match[1] as string}Command`);
    // of the ledger: the reads, and the stage lock's lease (a rollback's run is claimed and finished with PutItem)
    for (const call of ['GetItemCommand', 'QueryCommand', 'UpdateItemCommand', 'DeleteItemCommand'])
      if (ledger.includes(`new ${call}(`)) used.add(call);

    // then
    expect([...used].sort()).toEqual(Object.keys(IAM).sort());
  });

  it('allows nothing more: not the web function, not the reserved _cnf/, not another stage', async () => {
    // given
    const policy = await policyOfStage();

    // then
    expect(allows(policy, 'lambda:InvokeFunction', arn('lambda', 'function:fixture-prod-web:7'))).toBe(false);
    expect(allows(policy, 'lambda:InvokeFunction', arn('lambda', 'function:fixture-prod-admin:5'))).toBe(true);
    expect(allows(policy, 'ssm:PutParameter', arn('ssm', 'parameter/fixture/prod/_cnf/stage'))).toBe(false);
    expect(allows(policy, 'ssm:PutParameter', arn('ssm', 'parameter/fixture/prod/A'))).toBe(true);
    expect(allows(policy, 'ssm:GetParameter', arn('ssm', 'parameter/fixture/dev/A'))).toBe(false);
    expect(allows(policy, 'logs:FilterLogEvents', arn('logs', 'log-group:/aws/lambda/fixture-prod-web:*'))).toBe(false);
    expect(allows(policy, 'dynamodb:PutItem', arn('dynamodb', 'table/fixture-prod-runs'))).toBe(false);
    // the operator writes only the config history, the stage lock and a rollback's run: no task lock
    expect(allows(policy, 'dynamodb:PutItem', arn('dynamodb', 'table/fixture-prod-runs'), 'config#v3')).toBe(true);
    expect(allows(policy, 'dynamodb:PutItem', arn('dynamodb', 'table/fixture-prod-runs'), 'lock#migrate')).toBe(false);
    expect(allows(policy, 'dynamodb:DeleteItem', arn('dynamodb', 'table/fixture-prod-runs'), 'run#20261130-043000-wire01')).toBe(false);
    expect(allows(policy, 'ssm:PutParameter', arn('ssm', 'parameter/fixture/prod/_cnf/live'))).toBe(true);
    expect(allows(policy, 'ssm:DeleteParameter', arn('ssm', 'parameter/fixture/prod/_cnf/live'))).toBe(false);
    expect(allows(policy, 'lambda:UpdateAlias', arn('lambda', 'function:fixture-prod-web:live'))).toBe(true);
    expect(allows(policy, 'lambda:UpdateAlias', arn('lambda', 'function:fixture-dev-web:live'))).toBe(false);
    expect(policy.Statement.flatMap((statement) => statement.Action).filter((action) => action.startsWith('kms:'))).toEqual([]);
  });

  it("lets an operator only watch the stage's container tasks: no RunTask, no StopTask, no PassRole (the admin function starts and stops them)", async () => {
    // given
    const policy = await policyOfStage(containerScenario());
    const task = (cluster: string) => arn('ecs', `task/${cluster}/0123456789abcdef`);
    const actions = policy.Statement.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => statement.Action);

    // then
    expect(actions.filter((action) => /^(ecs|iam):/.test(action))).toEqual(['ecs:DescribeTasks']);
    expect(allows(policy, 'ecs:RunTask', arn('ecs', 'task-definition/fixture-prod-admin-r-0123456789ab:1'))).toBe(false);
    expect(allows(policy, 'ecs:StopTask', task('fixture-prod-admin'))).toBe(false);
    expect(allows(policy, 'iam:PassRole', CONTAINER_RECORD.taskRole)).toBe(false);
    expect(allows(policy, 'ecs:DescribeTasks', task('fixture-prod-admin'))).toBe(true);
    expect(allows(policy, 'ecs:DescribeTasks', task('another-cluster'))).toBe(false);
    // and a stage without container tasks gets no ECS or IAM permission at all
    const plain = await policyOfStage();
    expect(plain.Statement.flatMap((statement) => statement.Action).filter((action) => /^(ecs|iam):/.test(action))).toEqual([]);
  });

  it("allows encrypting with the stage's parameter key when its record names one: that key only, and never decrypting", async () => {
    // given
    const policy = await policyOfStage({ record: { parameterKey: PARAMETER_KEY } });

    // then
    expect(allows(policy, 'kms:Encrypt', PARAMETER_KEY)).toBe(true);
    expect(allows(policy, 'kms:GenerateDataKey', PARAMETER_KEY)).toBe(true);
    expect(allows(policy, 'kms:Decrypt', PARAMETER_KEY)).toBe(false);
    expect(allows(policy, 'kms:Encrypt', arn('kms', 'key/another'))).toBe(false);
  });
});
