import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The module of the project's CDK that lists its feature flags (named here, not imported: the CLI does not depend on the CDK). */
const CDK_FLAGS_MODULE = ['aws-cdk-lib', 'cx-api'].join('/');

/**
 * The feature flags that the project's own installed aws-cdk-lib recommends
 * for a new project (the ones `cdk init` writes into cdk.json's context), so
 * that no cdk command warns that they are not configured. Read from the
 * project's node_modules, because the flags belong to the CDK version the
 * project synthesises with; undefined when the project has no aws-cdk-lib yet.
 */
function recommendedCdkFlags(projectDir: string): Readonly<Record<string, unknown>> | undefined {
  const requireFromProject = createRequire(join(projectDir, 'package.json'));
  let cxApi: { CURRENTLY_RECOMMENDED_FLAGS?: unknown };
  try {
    cxApi = requireFromProject(CDK_FLAGS_MODULE) as typeof cxApi;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
  const flags = cxApi.CURRENTLY_RECOMMENDED_FLAGS;
  return typeof flags === 'object' && flags !== null ? (flags as Record<string, unknown>) : undefined;
}

export { recommendedCdkFlags };
