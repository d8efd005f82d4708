/**
 * The STS client and the command the CLI sends (tools/build-cli.mjs bundles
 * them, tree-shaken, as dist/aws-sdk/sts.cjs): the CLI's code imports STS
 * from here alone.
 */
export { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
