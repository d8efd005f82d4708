/*
 * Every name the AdminApp construct derives from app and stage, which the
 * CLI also derives on its own (to read the aliases while the stage record is
 * being read, to print a policy offline): the stack, the two functions, their
 * log groups, the container tasks' cluster and the prefix of their task
 * definition families. All take them from here. `assertValidStageName`
 * keeps the longest within Lambda's 64 characters.
 */

/** A stage's two functions: the web one serves traffic, the admin one runs tasks. */
type FunctionRole = 'web' | 'admin';

/** The names of a stage's two functions. */
interface FunctionNames {
  readonly web: string;
  readonly admin: string;
}

/**
 * The name of one of a stage's functions.
 *
 * @example
 * stageFunctionName('notes', 'prod', 'admin'); // 'notes-prod-admin'
 */
function stageFunctionName(app: string, stage: string, role: FunctionRole): string {
  return `${stageStackName(app, stage)}-${role}`;
}

/**
 * The names of a stage's two functions.
 *
 * @example
 * stageFunctionNames('notes', 'prod'); // { web: 'notes-prod-web', admin: 'notes-prod-admin' }
 */
function stageFunctionNames(app: string, stage: string): FunctionNames {
  return { web: stageFunctionName(app, stage, 'web'), admin: stageFunctionName(app, stage, 'admin') };
}

/**
 * The stack of a stage, and the prefix of every name CloudFormation makes in it.
 *
 * @example
 * stageStackName('notes', 'prod'); // 'notes-prod'
 */
function stageStackName(app: string, stage: string): string {
  return `${app}-${stage}`;
}

/**
 * The log group a Lambda function logs to by convention, which the construct creates explicitly.
 *
 * @example
 * functionLogGroupName('notes-prod-admin'); // '/aws/lambda/notes-prod-admin'
 */
function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * The cluster the construct creates for a stage's container tasks (when none is given).
 *
 * @example
 * adminClusterName('notes', 'prod'); // 'notes-prod-admin'
 */
function adminClusterName(app: string, stage: string): string {
  return stageFunctionName(app, stage, 'admin');
}

/**
 * The task definition family of a release's container tasks:
 * `<app>-<stage>-admin-<release>`. One family per release, so that a
 * retained release's stays registered beside the new one.
 *
 * @example
 * taskFamilyOf('notes', 'prod', 'r-0123456789ab'); // 'notes-prod-admin-r-0123456789ab'
 */
function taskFamilyOf(app: string, stage: string, release: string): string {
  return `${taskFamilyPrefix(app, stage)}${release}`;
}

/** What every release's task definition family of a stage starts with: `<app>-<stage>-admin-`. */
function taskFamilyPrefix(app: string, stage: string): string {
  return `${stageFunctionName(app, stage, 'admin')}-`;
}

export { adminClusterName, functionLogGroupName, stageFunctionName, stageFunctionNames, stageStackName, taskFamilyOf, taskFamilyPrefix };
export type { FunctionNames, FunctionRole };
