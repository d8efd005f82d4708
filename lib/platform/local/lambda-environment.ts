import type { LocalPaths } from './local-paths.js';

/** Which local function a process plays. */
type LocalFunction = 'web' | 'admin';

/**
 * The environment of a local web or admin process. Like Lambda, it holds the
 * Lambda variables and the stage's settings, not the environment of the
 * shell that started it: config comes from the stage's parameter set.
 */
function lambdaEnvironment(app: string, paths: LocalPaths, release: string, bundleDir: string, fn: LocalFunction): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    LAMBDA_TASK_ROOT: bundleDir,
    AWS_LAMBDA_FUNCTION_NAME: `${app}-local-${fn}`,
    AWS_LAMBDA_FUNCTION_VERSION: release,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CNF_APP: app,
    CNF_STAGE: 'local',
    CNF_RELEASE: release,
    CNF_PARAMETER_FILE: paths.parameters,
  };
}

/**
 * The environment of a local admin process: a Lambda-like one, plus the
 * stage's run ledger and the admin "function" timeout the runner counts down.
 */
function adminEnvironment(
  app: string,
  paths: LocalPaths,
  release: string,
  bundleDir: string,
  functionTimeoutSeconds: number,
): NodeJS.ProcessEnv {
  return {
    ...lambdaEnvironment(app, paths, release, bundleDir, 'admin'),
    CNF_LEDGER_DIR: paths.ledger,
    CNF_FUNCTION_TIMEOUT_SECONDS: String(functionTimeoutSeconds),
  };
}

export { adminEnvironment, lambdaEnvironment };
export type { LocalFunction };
