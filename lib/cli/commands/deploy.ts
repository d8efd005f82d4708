import { writeJson, writeLine, type CliIo } from '../io.js';
import { openLocalStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';

/** The options of `cnf-admin deploy`, as its flags declare them. */
type DeployCommandOptions = CommandOptions<'deploy'>;

/**
 * `cnf-admin deploy --stage local`: builds the working tree into a release
 * and moves the local alias pair to it. AWS stages deploy with CDK.
 */
async function deploy(options: DeployCommandOptions, io: CliIo): Promise<number> {
  const { localStage } = await openLocalStage(io, options, 'deploy', `AWS stages deploy with CDK: npx cdk deploy -c stage=${options.stage}`);
  const { alias } = options;
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
