import type { LocalDeployment } from '../../core/platform-capabilities.js';
import { configVersionLabel } from '../../core/config-version.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import { prunedReleasesNotice } from '../../core/release.js';
import { findProject, stageOf } from '../../core/project.js';
import { noChangeDeployment } from '../../platform/local-early.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { forceUntilMoved, unlessInterrupted, withInterrupts } from '../interrupts.js';
import type { CommandOptions } from '../command-options.js';

/** What the first Ctrl-C during a deploy says, until the alias pair starts to move. */
const STOPPING_NOTICE = 'Stopping the deploy: nothing moves. Press Ctrl-C again to stop at once.';

/** What a Ctrl-C says once the alias pair moves: too late to stop, and the deploy finishes. */
function movingNotice(alias: string): string {
  return `Too late to stop: web:${alias} and admin:${alias} are moving to the new release, and the deploy finishes.`;
}

/** The options of `cnf-admin deploy`, as its flags declare them. */
type DeployCommandOptions = CommandOptions<'deploy'>;

/**
 * `cnf-admin deploy --stage local`: builds the working tree into a release
 * and moves the local alias pair to it. AWS stages deploy with CDK.
 */
async function deploy(options: DeployCommandOptions, io: CliIo): Promise<number> {
  // Another alias than live is a name the user chose, which no secure value may be: checked before the quick answer prints it.
  if (options.alias !== DEFAULT_ALIAS) await refuseSecretAlias(options, io);
  const deployment = (await nothingToDeploy(options, io)) ?? (await deployWorkingTree(options, io));
  const { stored, isNew, built, previous, config, pinnedBefore, endedHold, pruned } = deployment;
  const { alias } = options;
  if (options.json === true) {
    writeJson(io, {
      release: stored.release,
      isNew,
      previous: previous ?? null,
      alias,
      tasks: stored.catalog.tasks.map((task) => task.name),
      ...(config === undefined ? {} : { config }),
      ...(pinnedBefore === undefined ? {} : { pinnedBefore }),
      ...(endedHold === undefined ? {} : { endedHold }),
      ...(pruned === undefined ? {} : { pruned }),
    });
    return 0;
  }
  const how = built ? '' : ': the working tree matches it, nothing to build';
  writeLine(
    io.stderr,
    `${isNew ? 'Built' : 'Reused'} release ${stored.release} (${stored.catalog.tasks.length} ${stored.catalog.tasks.length === 1 ? 'task' : 'tasks'})${how}.`,
  );
  const withConfig = config === undefined ? '' : ` with config ${configVersionLabel(config)}`;
  writeLine(
    io.stderr,
    previous === stored.release
      ? `web:${alias} and admin:${alias} already point at ${stored.release}${withConfig}.`
      : `web:${alias} and admin:${alias} now point at ${stored.release}${withConfig}${previous === undefined ? '' : ` (was ${previous})`}.`,
  );
  // After the hold, invoke deploys the tree again, where the stage lets it (autoDeploy).
  const followsTree = endedHold !== undefined && stageOf(findProject(io.cwd), options.stage).autoDeploy !== false;
  for (const line of pinChanges(deployment, followsTree)) writeLine(io.stderr, line);
  const prunedNotice = prunedReleasesNotice(pruned);
  if (prunedNotice !== undefined) writeLine(io.stderr, prunedNotice);
  writeLine(io.stdout, stored.release);
  return 0;
}

/**
 * What a deploy changed beside the pair: the release's pinned config, and a
 * rollback's hold on the stage it ended (`followsTree`: whether invoke then
 * deploys the working tree again, as it does unless autoDeploy is off).
 */
function pinChanges({ stored, config, pinnedBefore, endedHold }: LocalDeployment, followsTree: boolean): string[] {
  return [
    ...(pinnedBefore === undefined || config === undefined
      ? []
      : [
          `${stored.release} was pinned to config ${configVersionLabel(pinnedBefore)}; it now runs with the live config, ${configVersionLabel(config)}, which a rollback to it restores.`,
        ]),
    ...(endedHold === undefined
      ? []
      : [`This deploy ends the hold of the rollback to ${endedHold}${followsTree ? ': invoke deploys the working tree again' : ''}.`]),
  ];
}

/** Refuses (64) an `--alias` that holds a secure value of the local stage (`assertNameHoldsNoSecret`); an AWS stage's deploy refuses anyway. */
async function refuseSecretAlias(options: DeployCommandOptions, io: CliIo): Promise<void> {
  if (stageOf(findProject(io.cwd), options.stage).platform !== 'local') return;
  const { openStage } = await import('../stage-context.js');
  const { assertNameHoldsNoSecret } = await import('../secret-mask.js');
  const { platform, stage } = await openStage(io, options);
  await assertNameHoldsNoSecret(platform, '--alias', options.alias, stage.name);
}

/**
 * The answer of a deploy with nothing to do, read before the local platform
 * loads (`noChangeDeployment`: it only reads); undefined when there is
 * something to do, or when the stage is not the local one or anything is
 * wrong, which the deploy itself then meets and reports.
 */
async function nothingToDeploy(options: DeployCommandOptions, io: CliIo): Promise<LocalDeployment | undefined> {
  try {
    const project = findProject(io.cwd);
    if (stageOf(project, options.stage).platform !== 'local') return undefined;
    return await noChangeDeployment(project, options.alias);
  } catch (error) {
    // The deploy meets the same problem, and reports it.
    void error;
    return undefined;
  }
}

/** Opens the local stage and deploys the working tree to it. */
async function deployWorkingTree(options: DeployCommandOptions, io: CliIo): Promise<LocalDeployment> {
  // The stage and its platform load only here: a deploy with nothing to do does not need them.
  const { openLocalStage } = await import('../stage-context.js');
  const { localStage } = await openLocalStage(
    io,
    options,
    'deploy',
    `AWS stages deploy with CDK: npx cdk deploy -c stage=${options.stage}`,
  );
  const { alias } = options;
  // Ctrl-C stops the build and moves nothing (130), letting the stage's lock go; a second one stops waiting at once.
  // Once the pair moves, neither stops it: the deploy finishes, and says so.
  let moving = false;
  return withInterrupts(
    io,
    () => (moving ? movingNotice(alias) : STOPPING_NOTICE),
    (signal, force) => {
      const move = forceUntilMoved(force, () => (moving = true));
      return unlessInterrupted(
        localStage.deploy(alias, { showBuild: true, signal, onMove: move.onMove }),
        move.waiting,
        `the deploy stopped; web:${alias} and admin:${alias} did not move`,
      );
    },
  );
}

export { deploy };
export type { DeployCommandOptions };
