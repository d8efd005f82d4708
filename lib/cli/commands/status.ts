import { largest } from '../../core/largest.js';
import { configVersionLabel } from '../../core/config-version.js';
import { DEFAULT_ALIAS, type AliasTarget, type ContainerTasksStatus, type ReleaseInfo, type StageStatus } from '../../core/platform.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { asInvoked } from '../invocation.js';
import { formatMoment } from '../../core/format-moment.js';
import { formatSeconds } from '../render/format-duration.js';
import { cutText, formatTable, terminalWidth, wrapText } from '../render/table.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';

/** The options of `cnf-admin status`, as its flags declare them. */
type StatusCommandOptions = CommandOptions<'status'>;

/** Where a stage lives, in words. */
const PLACES: Readonly<Record<StageStatus['platform'], string>> = { local: 'on this machine', aws: 'on AWS' };

/** A release and, where it differs from the release id (AWS), the function version serving it. */
function describeRelease(release: string, version: string): string {
  return version === release ? release : `${release} (version ${version})`;
}

function describeTarget(target: AliasTarget): string {
  const canary = (target.additionalVersions ?? [])
    .map((extra) => `, ${Math.round(extra.weight * 100)}% to ${describeRelease(extra.release, extra.version)}`)
    .join('');
  return `${describeRelease(target.release, target.version)}${canary}`;
}

/** The last part of an ARN: a cluster's name. */
function lastPart(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/**
 * The stage's container tasks, as the stage record names them: which tasks
 * run on ECS Fargate (with their time limits), the task definition and the
 * cluster. After a rollback the list is the deployed release's, and says so:
 * the live release's may differ.
 */
function containerLines(container: ContainerTasksStatus, width: number, live: string | undefined): string[] {
  const tasks =
    container.tasks.length === 0
      ? 'none in the deployed release'
      : container.tasks.map(({ name, timeLimitSeconds }) => `${name} (up to ${formatSeconds(timeLimitSeconds)})`).join(', ');
  const of = container.tasksOf === undefined ? '' : ` of the deployed release ${container.tasksOf}, not the live ${live ?? 'release'}`;
  return [
    // Many tasks make a long line: wrapped, where the two below keep their alignment.
    wrapText(`Container tasks (ECS Fargate)${of}: ${tasks}`, width),
    `  task definition  ${container.taskDefinition}`,
    `  cluster          ${lastPart(container.cluster)}`,
  ];
}

/** `cnf-admin status`: the stage's alias pairs, whether each pair agrees, its container tasks, and its releases. */
async function status(options: StatusCommandOptions, io: CliIo): Promise<number> {
  const { platform } = await openStage(io, options);
  const current = await platform.status();
  if (options.json === true) {
    // The notes' commands as the human view writes them: `npx cnf-admin …` when npm started it.
    writeJson(io, { ...current, notes: current.notes.map((note) => asInvoked(note, io.env)) });
    return 0;
  }
  const width = terminalWidth(io);
  writeLine(io.stdout, `Stage ${current.stage}, ${PLACES[current.platform]}`);
  if (current.aliases.length === 0) writeLine(io.stdout, current.releases.length === 0 ? '  no alias pairs yet' : '  no alias pairs');
  const labelWidth = largest(current.aliases.map((pair) => `admin:${pair.name}`.length)) + 2;
  for (const pair of current.aliases) {
    const agree = pair.web.release === pair.admin.release;
    // The live pair is code and config: `r-6765a295784c · config v7`.
    const config = pair.name === DEFAULT_ALIAS && current.config !== undefined ? ` · config ${configVersionLabel(current.config)}` : '';
    writeLine(io.stdout, `  ${`web:${pair.name}`.padEnd(labelWidth)}${describeTarget(pair.web)}${config}`);
    writeLine(io.stdout, `  ${`admin:${pair.name}`.padEnd(labelWidth)}${describeTarget(pair.admin)}${config}`);
    if (!agree) writeLine(io.stdout, `  ^ RELEASE MISMATCH: invoke exits 78 until a deploy or a rollback --to moves the pair together`);
  }
  if (current.container !== undefined) {
    writeLine(io.stdout);
    for (const line of containerLines(current.container, width, current.aliases.find((pair) => pair.name === DEFAULT_ALIAS)?.admin.release))
      writeLine(io.stdout, line);
  }
  writeLine(io.stdout);
  writeLine(io.stdout, releasesTable(current, width));
  for (const note of current.notes) writeLine(io.stdout, `\n${wrapText(asInvoked(note, io.env), width)}`);
  return 0;
}

/** `cnf-admin releases`: the releases the stage still holds, newest first. */
async function releases(options: CommandOptions<'releases'>, io: CliIo): Promise<number> {
  const { platform } = await openStage(io, options);
  const current = await platform.status();
  if (options.json === true)
    writeJson(
      io,
      current.releases.map((info) => ({ ...info, aliases: aliasesOf(current, info) })),
    );
  else {
    writeLine(io.stdout, releasesTable(current, terminalWidth(io)));
    for (const info of current.releases.filter((candidate) => candidate.unrestorable !== undefined))
      writeLine(io.stderr, wrapText(`${info.release} cannot be rolled back to: ${info.unrestorable}.`, terminalWidth(io)));
  }
  return 0;
}

/* How much of a commit's description (`git describe` and its subject) the table shows: `--json` has it whole. */
const COMMIT_SHOWN = 48;

/**
 * A release's commit as the table shows it: its description, which begins
 * with the commit (`0aa8cb9: Add notes search`, `v1.2-3-gabc1234-dirty: …`),
 * cut to {@link COMMIT_SHOWN} characters; the short sha where it has none.
 */
function commitLabel(sha: string, description: string | undefined): string {
  if (description === undefined || description === '') return sha.slice(0, 12);
  return cutText(description, COMMIT_SHOWN);
}

/** The alias pairs whose web or admin function serves `info`'s release: `live`, `canary`. */
function aliasesOf(current: StageStatus, info: ReleaseInfo): string[] {
  return current.aliases
    .filter((pair) => pair.web.release === info.release || pair.admin.release === info.release)
    .map((pair) => pair.name);
}

/**
 * The retained releases, newest first. The version columns show only where
 * versions are not the release ids themselves (AWS).
 */
function releasesTable(current: StageStatus, width: number): string {
  const numbered = current.releases.some((info) => info.webVersion !== info.release || info.adminVersion !== info.release);
  const versioned = current.releases.some((info) => info.config !== undefined);
  const committed = current.releases.some((info) => info.gitSha !== undefined);
  const row = (info: ReleaseInfo): string[] => [
    info.release,
    ...(numbered ? [info.webVersion ?? '-', info.adminVersion ?? '-'] : []),
    ...(versioned
      ? [info.config === undefined ? '-' : configVersionLabel(info.config), info.unrestorable === undefined ? 'yes' : 'no']
      : []),
    formatMoment(info.createdAt),
    ...(committed ? [info.gitSha === undefined ? '-' : commitLabel(info.gitSha, info.description)] : []),
    aliasesOf(current, info).join(', ') || '-',
  ];
  const columns = [
    { header: 'RELEASE' },
    ...(numbered ? [{ header: 'WEB' }, { header: 'ADMIN' }] : []),
    ...(versioned ? [{ header: 'CONFIG' }, { header: 'RESTORABLE' }] : []),
    { header: 'CREATED' },
    ...(committed ? [{ header: 'COMMIT', fit: 'wrap' as const }] : []),
    { header: 'ALIASES', fit: 'wrap' as const },
  ];
  return formatTable(columns, current.releases.map(row), { width });
}

export { releases, status };
export type { StatusCommandOptions };
