import type { Platform } from '../../core/platform.js';
import { ROLLBACK_TASK } from '../../core/rollback.js';
import type { LivePairCause } from '../../runtime/local-config-file.js';

/** The cause of a move that deployed a release. */
const DEPLOY_CAUSE: LivePairCause = 'deploy';

/** The cause of a move that changed the config alone. */
const CONFIG_CAUSE: LivePairCause = 'config';

/** The cause of a move that rolled back. */
const ROLLBACK_CAUSE: LivePairCause = 'rollback';

/** How many rollback runs the ledger is asked for, where the stage keeps no history of its live pair. */
const ROLLBACK_WINDOW = 500;

/** A move of the stage's live pair, as the page marks it on its timelines. */
interface StageMove {
  /** ISO 8601. */
  readonly at: string;
  /** `deploy`, `rollback`, or what changed the config (`set`, `unset`, ...). */
  readonly cause: string;
  /** The release live from then on. */
  readonly release: string;
  readonly config?: number;
  /** Who moved it, where known. */
  readonly by?: string;
  readonly reason?: string;
}

/**
 * The moves of the stage's live pair, oldest first: its own history where
 * it keeps one (the local stage: deploys, config changes and rollbacks, with
 * who), else the rollbacks the ledger recorded (runs of `cnf:rollback` that
 * succeeded, with their caller).
 */
async function stageMoves(platform: Platform): Promise<StageMove[]> {
  const history = await platform.livePairs?.history();
  if (history !== undefined) {
    // A config move says what made its version: `set`, `unset`, `config-rollback`, ...
    const versions = history.some((entry) => entry.cause === CONFIG_CAUSE) ? await platform.configVersions?.versions() : undefined;
    const causeOf = new Map((versions ?? []).map((version) => [version.version, version.cause]));
    return history.map((entry) => ({
      at: entry.at,
      cause: (entry.cause === CONFIG_CAUSE && entry.config !== undefined ? causeOf.get(entry.config) : undefined) ?? entry.cause,
      release: entry.release,
      ...(entry.config === undefined ? {} : { config: entry.config }),
      ...(entry.by === undefined ? {} : { by: entry.by }),
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    }));
  }
  const rollbacks = await platform.runs({ task: ROLLBACK_TASK, status: 'succeeded', limit: ROLLBACK_WINDOW });
  return rollbacks.reverse().map((run) => {
    const reason = (run.args as { reason?: unknown }).reason;
    return {
      at: run.endedAt ?? run.startedAt,
      cause: ROLLBACK_CAUSE,
      release: run.release,
      ...(run.configVersion === undefined ? {} : { config: run.configVersion }),
      by: run.caller,
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  });
}

export { DEPLOY_CAUSE, ROLLBACK_CAUSE, stageMoves };
export type { StageMove };
