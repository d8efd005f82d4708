/*
 * The SSM client the runtime reads a stage's parameters with: only what it
 * uses. The package's build bundles each module of this directory, with the
 * SDK inside, into dist/lib/runtime/aws-sdk/ (tools/build-runtime-sdk.mjs),
 * so that the esbuild of an app's release parses a few files for the SDK
 * rather than the thousand of its packages. In this repository, and so in
 * the tests, they re-export the packages as they are.
 */
export { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
