/**
 * The SSM client the runtime reads a stage's parameters with: only what it
 * uses. Each module of this directory is third-party code the runtime ships
 * bundled: the package's build bundles it into dist/lib/runtime/vendor/
 * (tools/build-runtime-vendor.mjs), so that the esbuild of an app's release
 * parses a few files rather than the thousand of the packages behind them. In
 * this repository, and so in the tests, they re-export the packages as they
 * are.
 *
 * @example
 * const { Parameters } = await new SSMClient({}).send(new GetParametersCommand({ Names: ['/shop/prod/GREETING:1'] }));
 */
export { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
