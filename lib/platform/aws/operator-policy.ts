import { RESERVED_KEY_PREFIX } from '../../core/parameter-set.js';
import { parameterPathOf, stageRecordName, type ContainerRecord, type StageRecord } from '../../core/stage-record.js';
import { stageFunctionNames } from '../../core/function-names.js';

/** Where the stage's resources live: the ARNs' partition, account and region. */
interface PolicyScope {
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  readonly account: string;
  readonly record: StageRecord;
}

/** One statement of an IAM policy. */
interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** An IAM policy document. */
interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/**
 * The least-privilege IAM policy an operator needs to run every cnf-admin
 * command against one AWS stage: read its record, aliases and versions;
 * invoke versions of its admin function; read the admin function's log; read
 * and write its parameter set (never the reserved `_cnf/`); read its run
 * ledger. STS `GetCallerIdentity` needs no permission. Secure parameters are
 * never decrypted, so no KMS permission is needed to list them. When the
 * record names a customer managed key, `config set --secure` writes with it:
 * SSM encrypts a standard parameter with `kms:Encrypt` and an advanced one
 * (envelope encryption) with `kms:GenerateDataKey`, both in the caller's name,
 * so the policy allows both on that key, and nothing more of KMS. A stage
 * with container tasks adds RunTask, ListTasks, DescribeTasks and StopTask on
 * its cluster and task definitions, and PassRole of the two task roles.
 */
function operatorPolicy(scope: PolicyScope): PolicyDocument {
  const { record } = scope;
  const arn = (service: string, resource: string): string =>
    `arn:${scope.partition}:${service}:${record.region}:${scope.account}:${resource}`;
  const fn = (name: string): string[] => [arn('lambda', `function:${name}`), arn('lambda', `function:${name}:*`)];
  const parameter = (name: string): string => arn('ssm', `parameter${name}`);
  const path = record.parameterPath.replace(/\/$/, '');
  const logGroup = arn('logs', `log-group:${record.admin.logGroup}`);
  const statements: PolicyStatement[] = [
    {
      Sid: 'ReadStageRecord',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: [parameter(stageRecordName(record.app, record.stage))],
    },
    {
      Sid: 'ReadAliasesAndReleases',
      Effect: 'Allow',
      Action: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:ListAliases', 'lambda:ListVersionsByFunction'],
      Resource: [...fn(record.web.functionName), ...fn(record.admin.functionName)],
    },
    {
      Sid: 'InvokeAdminVersions',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: [arn('lambda', `function:${record.admin.functionName}:*`)],
    },
    { Sid: 'ReadRunLogs', Effect: 'Allow', Action: ['logs:FilterLogEvents', 'logs:StartLiveTail'], Resource: [logGroup, `${logGroup}:*`] },
    { Sid: 'ListConfig', Effect: 'Allow', Action: ['ssm:GetParametersByPath'], Resource: [parameter(path), parameter(`${path}/*`)] },
    {
      Sid: 'ReadWriteConfig',
      Effect: 'Allow',
      Action: ['ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:PutParameter'],
      Resource: [parameter(`${path}/*`)],
    },
    {
      Sid: 'KeepReservedConfig',
      Effect: 'Deny',
      Action: ['ssm:DeleteParameter', 'ssm:PutParameter'],
      Resource: [parameter(`${path}/${RESERVED_KEY_PREFIX}*`)],
    },
  ];
  if (record.parameterKey !== undefined) {
    statements.push({
      Sid: 'EncryptSecureConfig',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: [record.parameterKey],
    });
  }
  if (record.ledgerTable !== undefined) {
    const table = arn('dynamodb', `table/${record.ledgerTable}`);
    statements.push({
      Sid: 'ReadRunLedger',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [table, `${table}/index/*`],
    });
  }
  if (record.container !== undefined) statements.push(...containerStatements(record, arn));
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * What container tasks need: RunTask of the stage's task definitions (every
 * release's family, `<app>-<stage>-admin-*`) on its cluster only; ListTasks
 * (to find a run's task), DescribeTasks and StopTask on its cluster's tasks;
 * and `iam:PassRole` of just the task role and the execution role, to ECS.
 */
function containerStatements(record: StageRecord, arn: (service: string, resource: string) => string): PolicyStatement[] {
  const container = record.container;
  if (container === undefined) return [];
  const cluster = container.cluster.split('/').pop() ?? container.cluster;
  return [
    {
      Sid: 'RunContainerTasks',
      Effect: 'Allow',
      Action: ['ecs:RunTask'],
      Resource: [arn('ecs', `task-definition/${record.app}-${record.stage}-admin-*:*`)],
      Condition: { ArnEquals: { 'ecs:cluster': container.cluster } },
    },
    {
      Sid: 'WatchAndStopContainerTasks',
      Effect: 'Allow',
      Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
      Resource: [arn('ecs', `task/${cluster}/*`)],
    },
    { Sid: 'FindContainerTasks', Effect: 'Allow', Action: ['ecs:ListTasks'], Resource: [arn('ecs', `container-instance/${cluster}/*`)] },
    {
      Sid: 'PassContainerTaskRoles',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [...new Set([container.taskRole, container.executionRole])],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
}

/** A stage as known before any access to it: its names (cdk.json) and where it is (given). */
interface StageAddressOffline {
  readonly app: string;
  readonly stage: string;
  /** 12 digits. */
  readonly account: string;
  readonly region: string;
}

/**
 * The operator policy of a stage printed without reading anything from AWS:
 * from the names that the AdminApp construct and the project's stack give
 * (functions `<app>-<stage>-web` and `-admin`, their log groups
 * `/aws/lambda/<function>`, the parameter set `/<app>/<stage>/`, a run ledger
 * table named by CloudFormation after the stack `<app>-<stage>`). It lacks
 * what only the deployed stage knows: a customer managed key for the
 * parameter set (the policy read from the stage adds it).
 */
function conventionalPolicy(address: StageAddressOffline): PolicyDocument {
  const functions = stageFunctionNames(address.app, address.stage);
  // Lambda's convention, which the construct keeps: each function logs to /aws/lambda/<name>.
  const logGroup = (name: string): string => `/aws/lambda/${name}`;
  const record: StageRecord = {
    version: 1,
    app: address.app,
    stage: address.stage,
    region: address.region,
    aliasName: 'live',
    parameterPath: parameterPathOf(address.app, address.stage),
    web: { functionName: functions.web, logGroup: logGroup(functions.web) },
    admin: { functionName: functions.admin, logGroup: logGroup(functions.admin), timeoutSeconds: 0 },
    // CloudFormation names the table after its stack: <stack>-<logical id>-<suffix>.
    ledgerTable: `${address.app}-${address.stage}-*`,
    console: false,
    container: conventionalContainer(address),
  };
  return operatorPolicy({ partition: partitionOf(address.region), account: address.account, record });
}

/**
 * The container tasks' part of the offline policy, from the construct's
 * names: its cluster `<app>-<stage>-admin` (not a cluster given to it), and
 * roles that CloudFormation names after the stack `<app>-<stage>` (so the
 * pass is of the stack's roles, and to ECS only). A stage without container
 * tasks has none of these resources.
 */
function conventionalContainer(address: StageAddressOffline): ContainerRecord {
  const partition = partitionOf(address.region);
  const roles = `arn:${partition}:iam::${address.account}:role/${address.app}-${address.stage}-*`;
  return {
    cluster: `arn:${partition}:ecs:${address.region}:${address.account}:cluster/${address.app}-${address.stage}-admin`,
    taskFamily: `${address.app}-${address.stage}-admin-*`,
    containerName: 'admin',
    subnets: [],
    securityGroups: [],
    assignPublicIp: false,
    taskRole: roles,
    executionRole: roles,
    tasks: [],
  };
}

/** The ARN partition of a region: `aws-cn` in China, `aws-us-gov` in GovCloud, `aws` elsewhere. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The partition and account of an ARN (the caller's, from STS). */
function accountOf(callerArn: string): { partition: string; account: string } {
  const [, partition = 'aws', , , account = ''] = callerArn.split(':');
  return { partition, account };
}

export { accountOf, conventionalPolicy, operatorPolicy };
export type { PolicyDocument, PolicyScope, PolicyStatement, StageAddressOffline };
