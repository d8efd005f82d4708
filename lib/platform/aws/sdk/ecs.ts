/**
 * The ECS client and the commands the CLI sends, its own and the runtime's
 * (tools/build-cli.mjs bundles them, tree-shaken, as dist/aws-sdk/ecs.cjs):
 * the CLI's code imports ECS from here alone.
 */
export { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
export type { Task } from '@aws-sdk/client-ecs';
