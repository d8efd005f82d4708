import {
  configVersionLabel,
  configVersionOf,
  diffParameters,
  formatConfigDiff,
  parseConfigVersion,
  UNRESTORABLE_CONFIG_HINT,
  type ConfigVersion,
} from '../../core/config-version.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { UnavailableError, UsageError } from '../../core/errors.js';
import { assertValidConfigKey } from '../../core/parameter-set.js';
import type { ConfigVersions, Platform } from '../../core/platform.js';
import type { Stage } from '../../core/stage.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { asInvoked } from '../invocation.js';
import { formatMoment } from '../../core/format-moment.js';
import { formatTable, terminalWidth } from '../render/table.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';
import { beforeChange, CHANGE_FINISHES_FIRST, unstoppable } from '../interrupts.js';
import { CONFIG_CAUSE } from '../../core/rollback.js';
import { unrecordedMoveField, writeUnrecordedMove } from '../unrecorded-move.js';

/** The stage's config versions, or a clear refusal where the platform keeps none. */
function versionsOf(platform: Platform, stage: Stage): ConfigVersions {
  if (platform.configVersions === undefined)
    throw new UnavailableError(`Stage ${stage.name} keeps no config versions yet (its platform, ${platform.kind}, does not support them).`);
  return platform.configVersions;
}

/** A config version by number, or a usage error naming the ones there are. */
function pick(versions: readonly ConfigVersion[], version: number, stage: string): ConfigVersion {
  const found = versions.find((candidate) => candidate.version === version);
  if (found === undefined) {
    const last = versions.at(-1)?.version;
    throw new UsageError(
      `Stage ${stage} has no config ${configVersionLabel(version)}${last === undefined ? ' (it has none yet)' : ` (it has v1 to v${last})`}.`,
      { hint: `See them with: cnf-admin config history --stage ${stage}` },
    );
  }
  return found;
}

/**
 * Refuses to restore a version that never went live: its change failed
 * before the live-pair record named it, so there is no state to go back to.
 *
 * @throws UsageError (64) naming the version and how to make its change again.
 */
function refuseNeverLive(version: ConfigVersion, live: number | undefined, stage: string): void {
  if (version.neverLive !== true) return;
  const label = configVersionLabel(version.version);
  const diff = live === undefined ? '' : ` (config diff ${configVersionLabel(live)} ${label} --stage ${stage} shows what it held)`;
  throw new UsageError(
    `Config ${label} never went live: the change that recorded it failed before the live-pair record named it, so there is nothing of it to go back to; nothing was restored.`,
    { hint: `Make that change again with cnf-admin config set or unset${diff}.` },
  );
}

/** A move of the live pair that made an earlier config version live again, as `config history` lists it among the versions. */
interface LiveAgainMove {
  /** ISO 8601. */
  readonly at: string;
  /** What moved the pair: `rollback`, or `deploy` (a roll-forward after a rollback). */
  readonly cause: string;
  readonly config: number;
  /** The config version that was live before it. */
  readonly before?: number;
  readonly release: string;
  readonly by?: string;
}

/**
 * The moves of the stage's live pair that made an earlier config version
 * live again, newest first: a rollback's, and a deploy's that rolled
 * forward after one. A move to a version made with it (a config change, a
 * deploy that changed a declared value) is that version's own row; a move
 * that kept the live version changed no config. None where the stage keeps
 * no history.
 */
async function liveAgainMoves(platform: Platform, versions: readonly ConfigVersion[]): Promise<LiveAgainMove[]> {
  // Versions are what this command lists: a history it cannot read (no Lambda read rights on AWS) leaves out these moves only.
  const history = (await platform.livePairs?.history().catch(() => undefined)) ?? [];
  const createdAt = new Map(versions.map((version) => [version.version, version.createdAt]));
  return history
    .flatMap((entry, index) => {
      const previous = history[index - 1];
      const before = previous?.config;
      if (entry.cause === CONFIG_CAUSE || entry.config === undefined || entry.config === before) return [];
      // Made before the move that came before this one: an earlier version, live again.
      const made = createdAt.get(entry.config);
      if (made === undefined || previous === undefined || made > previous.at) return [];
      return [
        {
          at: entry.at,
          cause: entry.cause,
          config: entry.config,
          ...(before === undefined ? {} : { before }),
          release: entry.release,
          ...(entry.by === undefined ? {} : { by: entry.by }),
        },
      ];
    })
    .reverse();
}

/** Whether such a move changed `key`: its selector differs between the version live before and the one made live. */
function rollbackChanged(move: LiveAgainMove, key: string, versions: readonly ConfigVersion[]): boolean {
  const selector = (version: number | undefined): string =>
    JSON.stringify(versions.find((candidate) => candidate.version === version)?.keys[key] ?? null);
  return selector(move.before) !== selector(move.config);
}

/** A row of the history table: when, which config version it leaves live, and its cells (the first without the live mark). */
interface HistoryRow {
  readonly at: string;
  readonly config: number;
  readonly cells: string[];
}

/** The rows of those moves among the versions: `→ v4`, when, `rollback` (or `deploy`), which version went live again with which release. */
function rollbackRows(moves: readonly LiveAgainMove[]): HistoryRow[] {
  return moves.map((move) => ({
    at: move.at,
    config: move.config,
    cells: [
      `→ ${configVersionLabel(move.config)}`,
      formatMoment(move.at),
      move.cause,
      `${configVersionLabel(move.config)} live again, with ${move.release}`,
      '',
      move.by ?? '-',
    ],
  }));
}

/**
 * The history's rows, newest first: the versions by their number, which is
 * the order they were made in (their times, by AWS's clock, count whole
 * seconds: several made in one second may read out of order), and each move
 * that made one live again before the first version made before it.
 */
function newestFirst(versions: readonly HistoryRow[], moves: readonly HistoryRow[]): HistoryRow[] {
  const byNumber = [...versions].sort((a, b) => b.config - a.config);
  const byTime = [...moves].sort((a, b) => b.at.localeCompare(a.at));
  const rows: HistoryRow[] = [];
  let next = 0;
  for (const version of byNumber) {
    while (next < byTime.length && byTime[next]!.at > version.at) rows.push(byTime[next++]!);
    rows.push(version);
  }
  return [...rows, ...byTime.slice(next)];
}

/** `cnf-admin config history [KEY]`: the config versions, newest first; with KEY, only those that changed it. */
async function configHistory(key: string | undefined, options: CommandOptions<'config history'>, io: CliIo): Promise<number> {
  if (key !== undefined) assertValidConfigKey(key);
  const { platform, stage } = await openStage(io, options);
  const store = versionsOf(platform, stage);
  const [versions, live] = await Promise.all([store.versions(), store.live()]);
  if (key !== undefined && !versions.some((version) => Object.hasOwn(version.keys, key) || version.changed.includes(key))) {
    const known = [...new Set(versions.flatMap((version) => Object.keys(version.keys)))];
    // `config history v3`: a version where a key goes. The list shows every version; diff, what one changed.
    const version = configVersionOf(key);
    throw new UsageError(`No config version of stage ${stage.name} holds ${key}.${version === undefined ? didYouMean(key, known) : ''}`, {
      hint:
        version === undefined || version === 1
          ? `See the keys with: cnf-admin config list --stage ${stage.name}`
          : `config history takes a KEY, not a version. What ${configVersionLabel(version)} changed: cnf-admin config diff ${configVersionLabel(version - 1)} ${configVersionLabel(version)} --stage ${stage.name}`,
    });
  }
  const listed = versions.filter((version) => key === undefined || version.changed.includes(key)).reverse();
  // The rollbacks that made an earlier version live again too; with a KEY, those that changed it.
  const rollbacks = (await liveAgainMoves(platform, versions)).filter((move) => key === undefined || rollbackChanged(move, key, versions));
  // A version whose values fell out of a parameter's history cannot be diffed or restored: the list says so, as releases does.
  const shown = await Promise.all(
    listed.map(async (version) => {
      const unrestorable = await store.unrestorable(version.version);
      return unrestorable === undefined ? version : { ...version, unrestorable };
    }),
  );
  if (options.json === true) {
    writeJson(io, { stage: stage.name, live, versions: shown, rollbacks });
    return 0;
  }
  if (versions.length === 0) {
    writeLine(
      io.stderr,
      asInvoked(
        `Stage ${stage.name} has no config versions yet: the first change makes v1 (cnf-admin config set KEY VALUE --stage ${stage.name}).`,
        io.env,
      ),
    );
    return 0;
  }
  const versionRows = shown.map((version) => ({
    at: version.createdAt,
    config: version.version,
    cells: [
      // A version whose change failed before it went live is no state the stage was ever in.
      version.neverLive === true ? `${configVersionLabel(version.version)} (never live)` : configVersionLabel(version.version),
      formatMoment(version.createdAt),
      // A config rollback says which version it restored.
      version.restores === undefined ? version.cause : `${version.cause} to ${configVersionLabel(version.restores)}`,
      version.changed.join(', ') || '-',
      'unrestorable' in version || version.neverLive === true ? 'no' : 'yes',
      version.createdBy,
    ],
  }));
  // A rollback makes no version: it makes an earlier one live again. Read top to bottom, the list says so where it happened.
  const sorted = newestFirst(versionRows, rollbackRows(rollbacks));
  // (live) marks the newest row that left the live version live: a rollback's, where one made it live again.
  const liveRow = sorted.findIndex((row) => row.config === live);
  const rows = sorted.map((row, index) => (index === liveRow ? [`${row.cells[0]} (live)`, ...row.cells.slice(1)] : row.cells));
  writeLine(
    io.stdout,
    formatTable(
      [
        { header: 'VERSION' },
        { header: 'CREATED' },
        { header: 'CAUSE' },
        { header: 'CHANGED', fit: 'wrap' },
        // Given way on a narrow terminal while every version is restorable; kept whole once one is not.
        { header: 'RESTORABLE', optional: !shown.some((version) => 'unrestorable' in version || version.neverLive === true) },
        { header: 'BY', fit: 'cut' },
      ],
      rows,
      { width: terminalWidth(io) },
    ),
  );
  const gone = shown.find((version) => 'unrestorable' in version);
  if (gone !== undefined && 'unrestorable' in gone)
    writeLine(
      io.stderr,
      `Versions marked no name a value that is no longer kept (${gone.unrestorable}): config diff and config rollback refuse them.`,
    );
  if (shown.some((version) => version.neverLive === true))
    writeLine(
      io.stderr,
      'Versions marked (never live) were recorded by a change that failed before it went live: config rollback refuses them.',
    );
  return 0;
}

/** `cnf-admin config diff v6 v7`: the per-key difference, secure values masked (only changed or unchanged). */
async function configDiff(from: string, to: string, options: CommandOptions<'config diff'>, io: CliIo): Promise<number> {
  const [a, b] = [parseConfigVersion(from), parseConfigVersion(to)];
  const { platform, stage } = await openStage(io, options);
  const store = versionsOf(platform, stage);
  const versions = await store.versions();
  pick(versions, a, stage.name);
  pick(versions, b, stage.name);
  const diff = diffParameters(await store.values(a), await store.values(b));
  if (options.json === true) {
    writeJson(io, { stage: stage.name, from: a, to: b, keys: diff });
    return 0;
  }
  const lines = formatConfigDiff(diff);
  writeLine(io.stdout, `config ${configVersionLabel(a)} -> ${configVersionLabel(b)} on stage ${stage.name}:`);
  writeLine(io.stdout, lines.length === 0 ? '  no difference' : lines.map((line) => `  ${line}`).join('\n'));
  return 0;
}

/** Undefined for a refusal that a version's values are no longer kept (69); any other error is thrown on. */
function goneValues(error: unknown): undefined {
  if (error instanceof UnavailableError && error.hint === UNRESTORABLE_CONFIG_HINT) return undefined;
  throw error;
}

/** `cnf-admin config rollback vN`: a new config version equal to vN, live at once. */
async function configRollback(target: string, options: CommandOptions<'config rollback'>, io: CliIo): Promise<number> {
  const version = parseConfigVersion(target);
  // A Ctrl-C until the change restores nothing.
  const { stage, store, live, diff } = await beforeChange(io, 'nothing was restored', async () => {
    const { platform, stage } = await openStage(io, options);
    const store = versionsOf(platform, stage);
    const live = await store.live();
    refuseNeverLive(pick(await store.versions(), version, stage.name), live, stage.name);
    // The target first: a value of it that is no longer kept refuses the rollback, naming it.
    const after = await store.values(version);
    // A live version whose values are no longer all kept is what restoring a whole one mends: no diff, no refusal.
    const before = live === undefined ? [] : await store.values(live).catch((error: unknown) => goneValues(error));
    const diff = before === undefined ? undefined : diffParameters(before, after);
    return { stage, store, live, diff };
  });
  if (live !== undefined && diff?.every((entry) => entry.change === 'unchanged') === true) {
    // As config set of the value a key has already: no version that changes nothing.
    if (options.json === true) writeJson(io, { stage: stage.name, restored: version, configVersion: live, keys: diff, changed: false });
    else
      writeLine(
        io.stderr,
        `Config ${configVersionLabel(live)}, which is live, already holds the values of ${configVersionLabel(version)}; no version made.`,
      );
    return 0;
  }
  // The change and its report are one step, as in config set.
  return unstoppable(io, CHANGE_FINISHES_FIRST, async () => {
    const made = await store.restore(version);
    if (options.json === true) {
      writeJson(io, {
        stage: stage.name,
        restored: version,
        configVersion: made.version,
        ...(diff === undefined ? {} : { keys: diff }),
        changed: true,
        ...unrecordedMoveField(store),
      });
      writeUnrecordedMove(store, io);
      return 0;
    }
    const from = await store.liveFrom?.();
    writeLine(
      io.stderr,
      `Made config ${configVersionLabel(made.version)} equal to ${configVersionLabel(version)}: it is live ${from === undefined ? 'now' : `from ${from.slice(11, 19)} UTC`}, for web and admin together.`,
    );
    if (diff === undefined)
      writeLine(
        io.stderr,
        `  (no diff: config ${configVersionLabel(live as number)}, which was live, names values SSM no longer holds as they were; ${configVersionLabel(version)}'s are whole)`,
      );
    else for (const line of formatConfigDiff(diff)) writeLine(io.stderr, `  ${line}`);
    writeUnrecordedMove(store, io);
    return 0;
  });
}

export { configDiff, configHistory, configRollback };
