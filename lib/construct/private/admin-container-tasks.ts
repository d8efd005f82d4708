import { Annotations, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Architecture, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { StagedBundle } from '../../bundle/stage-bundle.js';
import { ContainerTasks, type ContainerTasksOptions } from '../container-tasks.js';
import type { RunLedgerTable } from '../run-ledger-table.js';
import type { StageParameters } from '../stage-parameters.js';
import { AdminAppPropsError } from '../errors.js';
import { grantDeclaredPermissions } from './task-permissions.js';
import { containerTasksOf } from './task-runtimes.js';

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
    throw new AdminAppPropsError(
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
      CNF_APP: parts.app,
      CNF_STAGE: parts.stage,
      CNF_RELEASE: parts.bundle.release,
      CNF_PARAMETER_PATH: parts.parameters.path,
      CNF_LEDGER_TABLE: parts.ledger.tableName,
    },
    logGroup: parts.adminFunction.logGroup,
  });
  const { taskRole } = containerTasks;
  parts.parameters.grantRead(taskRole);
  parts.ledger.grantWriteRuns(taskRole);
  for (const statement of parts.adminPolicyStatements ?? []) taskRole.addToPrincipalPolicy(statement);
  grantDeclaredPermissions(taskRole, parts.bundle.catalog);
  Validations.of(taskRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${parts.parameters.path}*]`,
    reason:
      'The parameter set is everything under its path, as for the admin function: the config loader reads the path recursively. The grant stops at the path.',
  });
  return containerTasks;
}

export { addContainerTasks };
export type { AdminAppParts };
