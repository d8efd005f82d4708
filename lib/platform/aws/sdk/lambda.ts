/**
 * The Lambda client and the commands the CLI sends (tools/build-cli.mjs
 * bundles them, tree-shaken, as dist/aws-sdk/lambda.cjs): the CLI's code
 * imports Lambda from here alone.
 */
export {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
export type { AliasConfiguration, InvokeCommandInput, InvokeWithResponseStreamResponseEvent, LogType } from '@aws-sdk/client-lambda';
