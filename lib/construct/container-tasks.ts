import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
  type ContainerDefinition,
  type ICluster,
} from 'aws-cdk-lib/aws-ecs';
import { Grant, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StagedBundle } from '../bundle/stage-bundle.js';
import { ADMIN_CONTAINER_NAME, CONTAINER_LOG_STREAM_PREFIX, type ContainerSettings } from '../core/container-run.js';
import { adminClusterName, taskFamilyOf, taskFamilyPrefix } from '../core/stage-names.js';
import type { ContainerRecord } from '../core/stage-record.js';
import { containerTasksOf, containerTimeLimitSeconds } from '../core/task-runtime.js';
import { ConstructValidationError } from './errors.js';
import { stageContainerImage } from './private/container-image-dir.js';
import { cnfEnvironment } from '../core/cnf-environment.js';

/** Where and how a stage's container tasks run: the `containerTasks` prop of `AdminApp`. */
interface ContainerTasksOptions {
  /** The VPC the tasks run in (they reach the parameter set, the ledger, the database and ECR from there). */
  readonly vpc: IVpc;
  /**
   * The security groups of the tasks. Required: cnf-admin opens nothing on
   * its own; the groups say what the tasks may reach (the database, and AWS
   * APIs through a NAT gateway or VPC endpoints).
   */
  readonly securityGroups: readonly ISecurityGroup[];
  /**
   * The subnets the tasks run in.
   *
   * @default - the VPC's private subnets with egress (`SubnetType.PRIVATE_WITH_EGRESS`)
   */
  readonly vpcSubnets?: SubnetSelection;
  /**
   * Whether each task gets a public IP address (only for public subnets without a NAT gateway).
   *
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /**
   * The ECS cluster to run the tasks on.
   *
   * @default - a new cluster `<app>-<stage>-admin` with Container Insights
   */
  readonly cluster?: ICluster;
  /**
   * The task's CPU units (256, 512, 1024, 2048, 4096, 8192, 16384).
   *
   * @default 1024
   */
  readonly cpu?: number;
  /**
   * The task's memory in MiB, a size Fargate allows with `cpu`.
   *
   * @default 2048
   */
  readonly memoryLimitMiB?: number;
}

/** Props of {@link ContainerTasks}. */
interface ContainerTasksProps extends ContainerTasksOptions {
  /** The app name. */
  readonly app: string;
  /** The stage. */
  readonly stage: string;
  /** The release's bundle: the image holds its files byte for byte. */
  readonly bundle: StagedBundle;
  /** The admin function's environment: the tasks run with the same (release, parameter path, ledger table). */
  readonly environment: Readonly<Record<string, string>>;
  /** The admin log group: the tasks log there, as JSON lines, in streams `task/admin/<task id>`. */
  readonly logGroup: ILogGroup;
  /**
   * The processor architecture of the image and the task.
   *
   * @default Architecture.ARM_64
   */
  readonly architecture?: Architecture;
}

/** How long ECS waits after SIGTERM before it kills the container: Fargate's maximum, so a stopped run records its end. */
const STOP_TIMEOUT = Duration.seconds(120);

/**
 * The release's container tasks on ECS Fargate: one task definition per
 * release (family `<app>-<stage>-admin-<release>`), whose one container runs
 * the image of the release's bundle with the container runner, the admin
 * function's environment, and logs in JSON to the admin log group. A
 * release's task definition is retained when the next release replaces it,
 * so `cnf-admin invoke --release` can still start it.
 *
 * The task role is for the tasks what the admin function's role is for the
 * function: grant it the same (`AdminApp` does). The execution role pulls the
 * image and writes the logs. Networking comes from the props only.
 */
class ContainerTasks extends Construct {
  /** The ECS cluster the tasks run on: the one given, or `<app>-<stage>-admin`. */
  readonly cluster: ICluster;
  /** The release's Fargate task definition, family `<app>-<stage>-admin-<release>`. */
  readonly taskDefinition: FargateTaskDefinition;
  /** The task definition's one container, `admin`, which runs the admin event. */
  readonly container: ContainerDefinition;
  /** What the tasks may do: the admin function's permissions. */
  readonly taskRole: Role;
  /** What ECS may do to start them: pull the image, write the logs. */
  readonly executionRole: Role;
  /** The subnets and security groups the tasks run with. */
  readonly vpcSubnets: SubnetSelection;
  /** The security groups of the tasks. */
  readonly securityGroups: readonly ISecurityGroup[];
  /** Whether each task gets a public IP address. */
  readonly assignPublicIp: boolean;
  /** What the stage record says of the container tasks. */
  readonly record: ContainerRecord;
  /** What every release's family of the stage starts with. */
  readonly #familyPrefix: string;

  constructor(scope: Construct, id: string, props: ContainerTasksProps) {
    super(scope, id);
    if (props.securityGroups.length === 0) {
      throw new ConstructValidationError(
        this,
        'containerTasks.securityGroups is empty: name the security groups the container tasks run with.',
      );
    }
    const { app, stage, bundle } = props;
    const family = taskFamilyOf(app, stage, bundle.release);
    this.#familyPrefix = taskFamilyPrefix(app, stage);
    this.cluster =
      props.cluster ??
      new Cluster(this, 'Cluster', {
        vpc: props.vpc,
        clusterName: adminClusterName(app, stage),
        containerInsightsV2: ContainerInsights.ENABLED,
      });
    // Only ECS tasks of this account and region may take the roles (the confused-deputy guard).
    const stack = Stack.of(this);
    const ecsTasks = (): ServicePrincipal =>
      new ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:*` },
        },
      });
    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: ecsTasks(),
      description: `Container tasks of ${app} ${stage} (cnf-admin): the admin function's permissions`,
    });
    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: ecsTasks(),
      description: `Starts the container tasks of ${app} ${stage} (cnf-admin): pulls the image, writes the logs`,
    });
    const arm = (props.architecture ?? Architecture.ARM_64) === Architecture.ARM_64;
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      family,
      cpu: props.cpu ?? 1024,
      memoryLimitMiB: props.memoryLimitMiB ?? 2048,
      runtimePlatform: {
        cpuArchitecture: arm ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
      taskRole: this.taskRole,
      executionRole: this.executionRole,
    });
    // A new release replaces the task definition; the old one stays registered, so its release can still run.
    this.taskDefinition.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const streamPrefix = `${CONTAINER_LOG_STREAM_PREFIX}`;
    this.container = this.taskDefinition.addContainer(ADMIN_CONTAINER_NAME, {
      image: ContainerImage.fromAsset(stageContainerImage(this, bundle), {
        platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
      }),
      environment: {
        ...props.environment,
        AWS_REGION: Stack.of(this).region,
        ...cnfEnvironment({
          consoleEnabled: false,
          logGroup: props.logGroup.logGroupName,
          logStreamPrefix: `${streamPrefix}/${ADMIN_CONTAINER_NAME}`,
        }),
      },
      logging: LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix }),
      stopTimeout: STOP_TIMEOUT,
      essential: true,
    });
    this.vpcSubnets = props.vpcSubnets ?? { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
    this.securityGroups = props.securityGroups;
    this.assignPublicIp = props.assignPublicIp ?? false;
    const subnets = props.vpc.selectSubnets(this.vpcSubnets).subnetIds;
    if (subnets.length === 0) {
      throw new ConstructValidationError(
        this,
        `containerTasks.vpcSubnets selects no subnet of the VPC, got: ${JSON.stringify(props.vpcSubnets ?? 'the private subnets with egress')}`,
      );
    }
    this.record = {
      cluster: this.cluster.clusterArn,
      taskFamily: family,
      containerName: ADMIN_CONTAINER_NAME,
      subnets,
      securityGroups: props.securityGroups.map((group) => group.securityGroupId),
      assignPublicIp: this.assignPublicIp,
      taskRole: this.taskRole.roleArn,
      executionRole: this.executionRole.roleArn,
      tasks: containerTasksOf(bundle.catalog).map((task) => ({ name: task.name, timeLimitSeconds: containerTimeLimitSeconds(task) })),
    };
    this.acknowledgeFindings();
  }

  /**
   * What the admin function needs to start this release's task (its
   * `CNF_CONTAINER` environment): the cluster, the task definition revision,
   * the container and the network.
   */
  get settings(): ContainerSettings {
    return {
      cluster: this.cluster.clusterArn,
      taskDefinition: this.taskDefinition.taskDefinitionArn,
      containerName: ADMIN_CONTAINER_NAME,
      subnets: this.record.subnets,
      securityGroups: this.record.securityGroups,
      assignPublicIp: this.assignPublicIp,
    };
  }

  /**
   * Lets `grantee` (the admin function: the only caller that starts and
   * stops the stage's container tasks) run the stage's admin task
   * definitions on this cluster only, pass the two roles to ECS tasks only,
   * and watch and stop the cluster's tasks.
   */
  grantStart(grantee: IGrantable): Grant {
    const stack = Stack.of(this);
    const arn = (resource: string): string => `arn:${stack.partition}:ecs:${stack.region}:${stack.account}:${resource}`;
    const family = this.#familyPrefix;
    const run = Grant.addToPrincipal({
      grantee,
      actions: ['ecs:RunTask'],
      // Every release's family, so that a retained admin version starts its own release's task definition.
      resourceArns: [arn(`task-definition/${family}*:*`)],
      conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
    });
    const pass = Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.taskRole.roleArn, this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    const watch = Grant.addToPrincipal({
      grantee,
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resourceArns: [arn(`task/${this.cluster.clusterName}/*`)],
    });
    return run.combine(pass).combine(watch);
  }

  private acknowledgeFindings(): void {
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        "The container's environment holds the admin function's settings (release id, parameter path, ledger table, log group), none of them secret; the secrets stay in the parameter set, read at run time.",
    });
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken has no resource to scope to: ECS needs it on * to pull the image from the assets repository.',
    });
  }
}

export { ContainerTasks };
export type { ContainerTasksOptions, ContainerTasksProps };
