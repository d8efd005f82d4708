import type { LocalPaths } from './local-paths.js';
import { adminEnvironmentOf, webEnvironmentOf, type StageStores } from '../../core/cnf-environment.js';

/** The local admin "function" timeout: Lambda's maximum. */
const LOCAL_FUNCTION_TIMEOUT_SECONDS = 900;

/** Which local function a process plays. */
type LocalFunction = 'web' | 'admin';

/**
 * What the environment of every local web or admin process holds, whatever
 * it runs: the system's, not the shell's.
 */
function baseEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
  };
}

/**
 * The environment of a local web or admin process. Like Lambda, it holds the
 * Lambda variables and the stage's settings, not the environment of the
 * shell that started it: config comes from the stage's parameter set.
 */
function lambdaEnvironment(app: string, paths: LocalPaths, release: string, bundleDir: string, fn: LocalFunction): NodeJS.ProcessEnv {
  return {
    ...baseEnvironment(),
    LAMBDA_TASK_ROOT: bundleDir,
    AWS_LAMBDA_FUNCTION_NAME: `${app}-local-${fn}`,
    AWS_LAMBDA_FUNCTION_VERSION: release,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...webEnvironmentOf({ app, stage: 'local', release }, localStores(paths)),
  };
}

/**
 * The environment of a local admin process: a Lambda-like one, plus the
 * stage's run ledger, the admin "function" timeout the runner counts down,
 * and whether the console is on (the local console turns it on).
 */
function adminEnvironment(
  app: string,
  paths: LocalPaths,
  release: string,
  bundleDir: string,
  functionTimeoutSeconds: number,
  consoleEnabled?: boolean,
): NodeJS.ProcessEnv {
  return {
    ...lambdaEnvironment(app, paths, release, bundleDir, 'admin'),
    ...adminEnvironmentOf({ app, stage: 'local', release }, localStores(paths), {
      functionTimeoutSeconds,
      ...(consoleEnabled === undefined ? {} : { consoleEnabled }),
    }),
  };
}

/** Where the local stage keeps its parameter set and run ledger. */
function localStores(paths: LocalPaths): StageStores {
  return { parameterFile: paths.parameters, ledgerDir: paths.ledger };
}

export { adminEnvironment, baseEnvironment, lambdaEnvironment, LOCAL_FUNCTION_TIMEOUT_SECONDS };
export type { LocalFunction };
