/*
 * The operator permission set, as data: what an operator (or a CI role) needs
 * to run every cnf-admin command on one AWS stage. `cnf-admin policy` prints
 * it as a policy document, and `AdminApp.grantOperate` grants it; both render
 * this one table with {@link operatorPolicy}, so they cannot drift apart.
 *
 * What it leaves out on purpose: `ecs:RunTask`, `ecs:StopTask` and
 * `iam:PassRole`. RunTask lets its caller override a container's command and
 * environment (no IAM condition limits that), so only the admin function
 * starts and stops container tasks; the operator asks it with an event.
 */
import { OPERATOR_ITEM_PREFIXES, STAGE_LOCK } from './config-ledger.js';
import { lockKey } from './ledger-table.js';
import { RESERVED_KEY_PREFIX } from './parameter-set.js';
import { stageRecordName, type StageRecord } from './stage-record.js';

/** The stage resources a permission may be on. */
type OperatorResource =
  | 'stage-record'
  | 'functions'
  | 'admin-versions'
  | 'admin-log-group'
  | 'parameter-path'
  | 'parameters'
  | 'reserved-parameters'
  | 'stage-record-parameter'
  | 'parameter-key'
  | 'ledger'
  | 'ledger-table'
  | 'live-aliases'
  | 'stack'
  | 'container-tasks';

/** One permission of the set: one statement of the policy. */
interface OperatorPermission {
  readonly sid: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** What it is on; a stage without that part (no key, no ledger, no container tasks) gets no statement. */
  readonly on: OperatorResource;
  /** Why the operator needs it: which commands. */
  readonly why: string;
  /** IAM conditions that narrow it further (operator, key, values). */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** The operator permission set. */
const OPERATOR_PERMISSIONS: readonly OperatorPermission[] = [
  {
    sid: 'ReadStageRecord',
    effect: 'Allow',
    actions: ['ssm:GetParameter'],
    on: 'stage-record',
    why: 'every command reads the stage record',
  },
  {
    sid: 'ReadAliasesAndReleases',
    effect: 'Allow',
    actions: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:ListAliases', 'lambda:ListVersionsByFunction'],
    on: 'functions',
    why: 'invoke plans its release; status lists aliases and releases',
  },
  {
    sid: 'InvokeAdminVersions',
    effect: 'Allow',
    actions: ['lambda:InvokeFunction'],
    on: 'admin-versions',
    why: 'invoke, tasks, console; the start, stop and settling of container runs go through the admin function too',
  },
  {
    sid: 'ReadRunLogs',
    effect: 'Allow',
    actions: ['logs:FilterLogEvents', 'logs:StartLiveTail'],
    on: 'admin-log-group',
    why: 'invoke and logs show the run log',
  },
  { sid: 'ListConfig', effect: 'Allow', actions: ['ssm:GetParametersByPath'], on: 'parameter-path', why: 'config lists the parameter set' },
  {
    sid: 'ReadWriteConfig',
    effect: 'Allow',
    actions: ['ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:GetParameterHistory', 'ssm:GetParameters', 'ssm:PutParameter'],
    on: 'parameters',
    why: 'config get, set and unset; config versions read values by name:version selector and check them against the history; set, unset, config rollback and rollback write the live-pair record _cnf/live',
  },
  {
    sid: 'KeepReservedConfig',
    effect: 'Deny',
    actions: ['ssm:DeleteParameter'],
    on: 'reserved-parameters',
    why: "IAM has no 'all but': the reserved _cnf/ keys stay the tool's (the CLI writes only _cnf/live, and deletes none)",
  },
  {
    sid: 'KeepStageRecord',
    effect: 'Deny',
    actions: ['ssm:PutParameter'],
    on: 'stage-record-parameter',
    why: 'the stage record is the construct’s: a deploy writes it, no command',
  },
  {
    sid: 'MoveLiveAliases',
    effect: 'Allow',
    actions: ['lambda:UpdateAlias'],
    on: 'live-aliases',
    why: 'rollback moves the live aliases of web and admin to a retained release',
  },
  {
    sid: 'WatchDeploys',
    effect: 'Allow',
    actions: ['cloudformation:DescribeStacks'],
    on: 'stack',
    why: 'rollback refuses while the stage’s stack is being deployed (read only)',
  },
  {
    sid: 'EncryptSecureConfig',
    effect: 'Allow',
    actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
    on: 'parameter-key',
    why: 'config set --secure: SSM encrypts with the stage key in the caller’s name (standard and advanced tier)',
  },
  {
    sid: 'ReadRunLedger',
    effect: 'Allow',
    actions: ['dynamodb:GetItem', 'dynamodb:Query'],
    on: 'ledger',
    why: 'runs, and the ends of runs',
  },
  {
    sid: 'WriteConfigHistory',
    effect: 'Allow',
    actions: ['dynamodb:PutItem'],
    on: 'ledger-table',
    why: 'config changes and rollbacks record config versions (config#), moves of the live pair (pair#), the stage lock, and a rollback’s run (run#); no other item',
    condition: {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': OPERATOR_ITEM_PREFIXES.map((prefix) => (prefix.endsWith('#') ? `${prefix}*` : prefix)),
      },
    },
  },
  {
    sid: 'HoldStageLock',
    effect: 'Allow',
    actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    on: 'ledger-table',
    why: 'config changes and rollbacks renew and release the stage-wide lock, and touch no other item',
    condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [lockKey(STAGE_LOCK)] } },
  },
  {
    sid: 'WatchContainerTasks',
    effect: 'Allow',
    actions: ['ecs:DescribeTasks'],
    on: 'container-tasks',
    why: 'invoke, logs and runs watch whether a container run’s task has stopped (read only)',
  },
];

/** Where the stage's resources live: the ARNs' partition, account, and the stage record's names. */
interface PolicyScope {
  /** `aws`, `aws-cn`, `aws-us-gov` (or a CDK token). */
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
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** An IAM policy document. */
interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** The last part of an ARN (a cluster's name), or the text itself. */
function nameOf(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** The ARNs a resource kind stands for on the stage, or undefined when the stage lacks it. */
function resourcesOf(on: OperatorResource, scope: PolicyScope): readonly string[] | undefined {
  const { record } = scope;
  const arn = (service: string, resource: string): string =>
    `arn:${scope.partition}:${service}:${record.region}:${scope.account}:${resource}`;
  const fn = (name: string): string[] => [arn('lambda', `function:${name}`), arn('lambda', `function:${name}:*`)];
  const parameter = (name: string): string => arn('ssm', `parameter${name}`);
  const path = record.parameterPath.replace(/\/$/, '');
  const logGroup = arn('logs', `log-group:${record.admin.logGroup}`);
  const table = record.ledgerTable === undefined ? undefined : arn('dynamodb', `table/${record.ledgerTable}`);
  switch (on) {
    case 'stage-record':
      return [parameter(stageRecordName(record.app, record.stage))];
    case 'functions':
      return [...fn(record.web.functionName), ...fn(record.admin.functionName)];
    case 'admin-versions':
      return [arn('lambda', `function:${record.admin.functionName}:*`)];
    case 'admin-log-group':
      return [logGroup, `${logGroup}:*`];
    case 'parameter-path':
      return [parameter(path), parameter(`${path}/*`)];
    case 'parameters':
      return [parameter(`${path}/*`)];
    case 'reserved-parameters':
      return [parameter(`${path}/${RESERVED_KEY_PREFIX}*`)];
    case 'stage-record-parameter':
      return [parameter(stageRecordName(record.app, record.stage))];
    case 'live-aliases':
      // IAM authorizes alias actions on the function's ARN; the alias-qualified ARN is listed for where it is matched so.
      return [record.web.functionName, record.admin.functionName].flatMap((name) => [
        arn('lambda', `function:${name}`),
        arn('lambda', `function:${name}:${record.aliasName}`),
      ]);
    case 'stack':
      return record.stack === undefined ? undefined : [arn('cloudformation', `stack/${record.stack}/*`)];
    case 'ledger-table':
      return table === undefined ? undefined : [table];
    case 'parameter-key':
      return record.parameterKey === undefined ? undefined : [record.parameterKey];
    case 'ledger':
      return table === undefined ? undefined : [table, `${table}/index/*`];
    case 'container-tasks':
      return record.container === undefined ? undefined : [arn('ecs', `task/${nameOf(record.container.cluster)}/*`)];
  }
}

/**
 * The least-privilege IAM policy an operator needs to run every cnf-admin
 * command against one AWS stage: the {@link OPERATOR_PERMISSIONS} on the
 * stage's resources. STS `GetCallerIdentity` needs no permission. Secure
 * parameters are never decrypted, so no `kms:Decrypt`. A container run is
 * started, stopped and settled by the admin function: no RunTask, no
 * StopTask, no PassRole.
 */
function operatorPolicy(scope: PolicyScope): PolicyDocument {
  const statements = OPERATOR_PERMISSIONS.flatMap((permission): PolicyStatement[] => {
    const resources = resourcesOf(permission.on, scope);
    if (resources === undefined) return [];
    return [
      {
        Sid: permission.sid,
        Effect: permission.effect,
        Action: [...permission.actions],
        Resource: [...resources],
        ...(permission.condition === undefined ? {} : { Condition: permission.condition }),
      },
    ];
  });
  return { Version: '2012-10-17', Statement: statements };
}

export { OPERATOR_PERMISSIONS, operatorPolicy };
export type { OperatorPermission, OperatorResource, PolicyDocument, PolicyScope, PolicyStatement };
