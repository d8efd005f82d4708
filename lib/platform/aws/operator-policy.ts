import { operatorPolicy, type PolicyDocument, type PolicyScope, type PolicyStatement } from '../../core/operator-permissions.js';
import { parameterPathOf, type ContainerRecord, type StageRecord } from '../../core/stage-record.js';
import { adminClusterName, functionLogGroupName, stageFunctionNames, stageStackName, taskFamilyPrefix } from '../../core/stage-names.js';
import { ADMIN_CONTAINER_NAME } from '../../core/container-run.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import type { Project } from '../../core/project.js';
import { containerTasksOf } from '../../core/task-runtime.js';

/** A stage as known before any access to it: its names (cdk.json) and where it is (given). */
interface StageAddressOffline {
  readonly app: string;
  readonly stage: string;
  /** 12 digits. */
  readonly account: string;
  readonly region: string;
  /** Whether the project's release declares container tasks (`runtime: 'container'`): the policy then covers watching them. */
  readonly containerTasks: boolean;
}

/**
 * The operator policy of a stage printed without reading anything from AWS:
 * from the names that the AdminApp construct and the project's stack give
 * (functions `<app>-<stage>-web` and `-admin`, their log groups
 * `/aws/lambda/<function>`, the parameter set `/<app>/<stage>/`, a run ledger
 * table named by CloudFormation after the stack `<app>-<stage>`). It lacks
 * what only the deployed stage knows: a customer managed key for the
 * parameter set (the policy read from the stage adds it). Container tasks
 * add their part only when the project declares some.
 */
function conventionalPolicy(address: StageAddressOffline): PolicyDocument {
  const functions = stageFunctionNames(address.app, address.stage);
  const logGroup = functionLogGroupName;
  const record: StageRecord = {
    version: 1,
    app: address.app,
    stage: address.stage,
    region: address.region,
    aliasName: DEFAULT_ALIAS,
    parameterPath: parameterPathOf(address.app, address.stage),
    web: { functionName: functions.web, logGroup: logGroup(functions.web) },
    admin: { functionName: functions.admin, logGroup: logGroup(functions.admin), timeoutSeconds: 0 },
    // CloudFormation names the table after its stack: <stack>-<logical id>-<suffix>.
    ledgerTable: `${stageStackName(address.app, address.stage)}-*`,
    console: false,
    ...(address.containerTasks ? { container: conventionalContainer(address) } : {}),
    stack: stageStackName(address.app, address.stage),
  };
  return operatorPolicy({ partition: partitionOf(address.region), account: address.account, record });
}

/**
 * The container tasks' part of the offline policy, from the construct's
 * names: its cluster `<app>-<stage>-admin` (not a cluster given to it). The
 * operator only watches the cluster's tasks; no role is passed.
 */
function conventionalContainer(address: StageAddressOffline): ContainerRecord {
  const partition = partitionOf(address.region);
  return {
    cluster: `arn:${partition}:ecs:${address.region}:${address.account}:cluster/${adminClusterName(address.app, address.stage)}`,
    taskFamily: `${taskFamilyPrefix(address.app, address.stage)}*`,
    containerName: ADMIN_CONTAINER_NAME,
    subnets: [],
    securityGroups: [],
    assignPublicIp: false,
    taskRole: '',
    executionRole: '',
    tasks: [],
  };
}

/**
 * Whether the project's release declares container tasks, read offline from
 * its bundle as the local build makes it (the same catalog a deploy would
 * write into the stage record).
 */
async function declaresContainerTasks(project: Project): Promise<boolean> {
  // esbuild loads for `policy` alone, not for every command that opens the stage.
  const { buildBundle } = await import('../../bundle/build-bundle.js');
  const { catalog } = await buildBundle(project);
  return containerTasksOf(catalog).length > 0;
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

export { accountOf, conventionalPolicy, declaresContainerTasks, operatorPolicy };
export type { PolicyDocument, PolicyScope, PolicyStatement, StageAddressOffline };
