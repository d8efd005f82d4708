import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import { adminEnvironmentOf, cnfEnvironment } from '../../core/cnf-environment.js';
import { taskFamilyPrefix } from '../../core/stage-names.js';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Architecture, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { StagedBundle } from '../../bundle/stage-bundle.js';
import { ContainerTasks, type ContainerTasksOptions } from '../container-tasks.js';
import type { RunLedgerTable } from '../run-ledger-table.js';
import type { StageParameters } from '../stage-parameters.js';
import { ConstructValidationError } from '../errors.js';
import { grantDeclaredPermissions } from './task-permissions.js';
import { containerTasksOf } from '../../core/task-runtime.js';

/** What an admin app gives its container tasks. */
interface AdminAppParts {
  readonly app: string;
  readonly stage: string;
  readonly bundle: StagedBundle;
  readonly architecture?: Architecture;
  readonly containerTasks?: ContainerTasksOptions;
  readonly releaseTask?: string;
  readonly adminPolicyStatements?: readonly PolicyStatement[];
  readonly parameters: StageParameters;
  readonly ledger: RunLedgerTable;
  readonly adminFunction: LambdaFunction;
}

/**
 * The container tasks of an admin app, when its release has tasks with
 * `runtime: 'container'` and the app says where they run (`containerTasks`):
 * the task role gets exactly what the admin function's role gets (the
 * parameter set, the ledger, `adminPolicyStatements`, and what the tasks
 * declare), and the tasks the admin function's environment.
 *
 * A release with container tasks and no `containerTasks` prop gets a synth
 * warning, and the CLI refuses those tasks on that stage (69), naming the prop.
 */
function addContainerTasks(scope: Construct, parts: AdminAppParts): ContainerTasks | undefined {
  const tasks = containerTasksOf(parts.bundle.catalog);
  if (tasks.length === 0) return undefined;
  if (tasks.some((task) => task.name === parts.releaseTask)) {
    throw new ConstructValidationError(
      scope,
      `releaseTask names ${JSON.stringify(parts.releaseTask)}, a container task (runtime: 'container'): the release phase runs in the admin function, within 15 minutes.`,
      { hint: 'Run it after the deploy with cnf-admin invoke, or make the release task a Lambda task.' },
    );
  }
  if (parts.containerTasks === undefined) {
    Annotations.of(scope).addWarningV2(
      'cnf-admin:containerTasks',
      `Tasks ${tasks.map((task) => task.name).join(', ')} run as container tasks (runtime: 'container'), but containerTasks is not set: give it the VPC and security groups they run with, or they cannot run on this stage.`,
    );
    return undefined;
  }
  const containerTasks = new ContainerTasks(scope, 'ContainerTasks', {
    ...parts.containerTasks,
    app: parts.app,
    stage: parts.stage,
    bundle: parts.bundle,
    ...(parts.architecture === undefined ? {} : { architecture: parts.architecture }),
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      ...adminEnvironmentOf(
        { app: parts.app, stage: parts.stage, release: parts.bundle.release },
        { parameterPath: parts.parameters.path, ledgerTable: parts.ledger.tableName },
      ),
    },
    logGroup: parts.adminFunction.logGroup,
  });
  // The admin function is the gate: it alone starts (and stops) the release's tasks, with their settings in its environment.
  containerTasks.grantStart(parts.adminFunction);
  const settings = cnfEnvironment({ containerSettings: Stack.of(scope).toJsonString(containerTasks.settings) });
  for (const [name, value] of Object.entries(settings)) parts.adminFunction.addEnvironment(name, value);
  acknowledgeGateFindings(parts.adminFunction, containerTasks, parts);
  const { taskRole } = containerTasks;
  parts.parameters.grantRead(taskRole);
  parts.ledger.grantWriteRuns(taskRole);
  for (const statement of parts.adminPolicyStatements ?? []) taskRole.addToPrincipalPolicy(statement);
  grantDeclaredPermissions(containerTasks, taskRole, parts.bundle.catalog);
  Validations.of(taskRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${parts.parameters.path}*]`,
    reason:
      'The parameter set is everything under its path, as for the admin function: the config loader reads the path recursively. The grant stops at the path.',
  });
  return containerTasks;
}

/** The admin function's container grants end in `*` on purpose: every release's task definition, every task of the cluster. */
function acknowledgeGateFindings(adminFunction: LambdaFunction, containerTasks: ContainerTasks, parts: AdminAppParts): void {
  const stack = Stack.of(adminFunction);
  const { clusterName } = containerTasks.cluster;
  const cluster = Token.isUnresolved(clusterName) ? `<${(stack.resolve(clusterName) as { Ref: string }).Ref}>` : clusterName;
  const family = taskFamilyPrefix(parts.app, parts.stage);
  const ecs = 'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>';
  // The grants sit in the policy of the function's role, which is not a child of the function.
  Validations.of(adminFunction.role ?? adminFunction).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::${ecs}:task-definition/${family}*:*]`,
      reason:
        "RunTask of the stage's admin task definitions (one family per release, every revision), on the stage's cluster only (ecs:cluster condition): a retained admin version starts its own release's task.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::${ecs}:task/${cluster}/*]`,
      reason:
        "DescribeTasks and StopTask of the cluster's tasks: a task's id is known only once it runs; the admin function stops a run's own task only.",
    },
  );
}

export { addContainerTasks };
export type { AdminAppParts };
