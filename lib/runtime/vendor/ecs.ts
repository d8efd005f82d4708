/**
 * The ECS client the admin function starts and stops container tasks with:
 * only what it uses (bundled at the package's build: see ssm.ts). Loaded on
 * the first container call only.
 *
 * @example
 * const { tasks } = await new ECSClient({}).send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
 */
export { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
