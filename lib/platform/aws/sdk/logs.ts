/**
 * The CloudWatch Logs client and the commands the CLI sends
 * (tools/build-cli.mjs bundles them, tree-shaken, as dist/aws-sdk/logs.cjs):
 * the CLI's code imports CloudWatch Logs from here alone.
 */
export { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
