/**
 * The SSM client and the commands the CLI sends (tools/build-cli.mjs bundles
 * them, tree-shaken, as dist/aws-sdk/ssm.cjs): the CLI's code imports SSM
 * from here alone. GetParameterHistoryCommand is what its paginator sends.
 */
export {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  paginateGetParameterHistory,
  paginateGetParametersByPath,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
export type { Parameter } from '@aws-sdk/client-ssm';
