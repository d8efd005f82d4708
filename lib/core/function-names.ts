/*
 * The names the AdminApp construct gives a stage's two functions, which the
 * CLI also derives on its own (to read the aliases while the stage record is
 * being read): `<app>-<stage>-web` and `<app>-<stage>-admin`. Both take them
 * from here. `assertValidStageName` keeps the longer one within Lambda's 64
 * characters.
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
  return `${app}-${stage}-${role}`;
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

export { stageFunctionName, stageFunctionNames };
export type { FunctionNames, FunctionRole };
