import { DEFAULT_ALIAS } from '../../core/platform.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { openLocalStage, type StageOptions } from '../stage-context.js';

/** The options of `cnf-admin deploy`. */
interface DeployCommandOptions extends StageOptions {
  readonly alias?: string;
  readonly json?: boolean;
}

/**
 * `cnf-admin deploy --stage local`: builds the working tree into a release
 * and moves the local alias pair to it. AWS stages deploy with CDK.
 */
async function deploy(options: DeployCommandOptions, io: CliIo): Promise<number> {
  const { localStage } = await openLocalStage(
    io,
    options,
    'deploy',
    `AWS stages deploy with CDK: npx cdk deploy -c stage=${options.stage ?? '<stage>'}`,
  );
  const alias = options.alias ?? DEFAULT_ALIAS;
  const { stored, isNew, built, previous } = await localStage.deploy(alias, { showBuild: true });
  if (options.json === true) {
    writeJson(io, {
      release: stored.release,
      isNew,
      previous: previous ?? null,
      alias,
      tasks: stored.catalog.tasks.map((task) => task.name),
    });
    return 0;
  }
  const how = built ? '' : ': the working tree matches it, nothing to build';
  writeLine(io.stderr, `${isNew ? 'Built' : 'Reused'} release ${stored.release} (${stored.catalog.tasks.length} tasks)${how}.`);
  writeLine(
    io.stderr,
    previous === stored.release
      ? `web:${alias} and admin:${alias} already point at ${stored.release}.`
      : `web:${alias} and admin:${alias} now point at ${stored.release}${previous === undefined ? '' : ` (was ${previous})`}.`,
  );
  writeLine(io.stdout, stored.release);
  return 0;
}

export { deploy };
export type { DeployCommandOptions };
