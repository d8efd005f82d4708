import { UsageError } from './errors.js';

/** Where a stage lives. */
type PlatformKind = 'local' | 'aws';

/** A deployment target as the project declares it. */
interface Stage {
  /** The stage name, e.g. `local`, `dev`, `prod`. */
  readonly name: string;
  /** Where the stage lives. */
  readonly platform: PlatformKind;
  /** The AWS region, when the project pins one for this stage. */
  readonly region?: string;
  /**
   * The local stage's embedded database: `postgres` runs a PostgreSQL server
   * on this machine and points `DATABASE_URL` at it.
   *
   * @default - none
   */
  readonly database?: 'postgres';
  /**
   * The stage's release-phase task (`releasePhase` in `cdk.json`, e.g.
   * `migrate`): `rollback` runs it on the target release first, and moves
   * nothing when it fails. On AWS, set the construct's `releasePhase` to the same task.
   *
   * @default - none
   */
  readonly releasePhase?: string;
  /**
   * The local stage only: whether `invoke`, `run` and `console` deploy the
   * working tree first when it differs from the live release (`"autoDeploy":
   * false` under the stage in cdk.json leaves that to an explicit `deploy`).
   *
   * @default true
   */
  readonly autoDeploy?: boolean;
}

/** The name of the stage that always exists and lives on this machine. */
const LOCAL_STAGE = 'local';

/*
 * Names end up in CloudFormation stack names (`<app>-<stage>`), Lambda
 * function names (`<app>-<stage>-admin`, at most 64 characters) and SSM paths,
 * so both are held to the narrowest of those alphabets.
 */
const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/**
 * Checks an app name: lower-case letters, digits and `-`, starting with a
 * letter, at most 32 characters, not ending in `-`.
 *
 * @throws UsageError naming the value when it does not fit.
 */
function assertValidAppName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !APP_NAME_PATTERN.test(name) || name.endsWith('-')) {
    throw new UsageError(`App name must be 1-32 lower-case letters, digits or '-', starting with a letter, got: ${JSON.stringify(name)}`, {
      hint: 'Set context.cnf.app in cdk.json, e.g. "my-app" (npx cnf-admin init writes it).',
    });
  }
}

/**
 * Checks a stage name: lower-case letters, digits and `-`, starting with a
 * letter, at most 24 characters, not ending in `-`, so that every resource
 * name derived from it is valid in Lambda and CloudFormation.
 *
 * @throws UsageError naming the value when it does not fit.
 */
function assertValidStageName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !STAGE_NAME_PATTERN.test(name) || name.endsWith('-')) {
    throw new UsageError(`Stage name must be 1-24 lower-case letters, digits or '-', starting with a letter, got: ${JSON.stringify(name)}`);
  }
}

export { assertValidAppName, assertValidStageName, LOCAL_STAGE };
export type { PlatformKind, Stage };
