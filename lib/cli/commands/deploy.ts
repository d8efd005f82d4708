import { writeJson, writeLine, type CliIo } from '../io.js';
import { unlessInterrupted, withInterrupts } from '../interrupts.js';
import { openLocalStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';

/** What the first Ctrl-C during a deploy says. */
const STOPPING_NOTICE = 'Stopping the deploy: nothing moves. Press Ctrl-C again to stop at once.';

/** The options of `cnf-admin deploy`, as its flags declare them. */
type DeployCommandOptions = CommandOptions<'deploy'>;

/**
 * `cnf-admin deploy --stage local`: builds the working tree into a release
 * and moves the local alias pair to it. AWS stages deploy with CDK.
 */
async function deploy(options: DeployCommandOptions, io: CliIo): Promise<number> {
  const { localStage } = await openLocalStage(
    io,
    options,
    'deploy',
    `AWS stages deploy with CDK: npx cdk deploy -c stage=${options.stage}`,
  );
  const { alias } = options;
  // Ctrl-C stops the build and moves nothing (130), letting the stage's lock go; a second one stops waiting at once.
  const { stored, isNew, built, previous } = await withInterrupts(io, STOPPING_NOTICE, (signal, force) =>
    unlessInterrupted(
      localStage.deploy(alias, { showBuild: true, signal }),
      force,
      `the deploy stopped; web:${alias} and admin:${alias} did not move`,
    ),
  );
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
