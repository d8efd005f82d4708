/**
 * The CloudFormation client and the command the CLI sends
 * (tools/build-cli.mjs bundles them, tree-shaken, as
 * dist/aws-sdk/cloudformation.cjs): the CLI's code imports CloudFormation
 * from here alone.
 */
export { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
