import type { ConfigVersion } from '../../core/config-version.js';
import type { Platform } from '../../core/platform.js';
import { CONFIG_CAUSE, ROLLBACK_CAUSE, ROLLBACK_TASK } from '../../core/rollback.js';

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
  /** Of a `config rollback`: the version its config equals, the one it rolled back to. */
  readonly restoredConfig?: number;
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
    const byNumber = new Map((versions ?? []).map((version) => [version.version, version]));
    return history.map((entry) => {
      const version = entry.cause === CONFIG_CAUSE && entry.config !== undefined ? byNumber.get(entry.config) : undefined;
      const restored = version?.cause === 'config-rollback' ? (version.restores ?? restoredVersion(version, versions ?? [])) : undefined;
      return {
        at: entry.at,
        cause: version?.cause ?? entry.cause,
        release: entry.release,
        ...(entry.config === undefined ? {} : { config: entry.config }),
        ...(restored === undefined ? {} : { restoredConfig: restored }),
        ...(entry.by === undefined ? {} : { by: entry.by }),
        ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      };
    });
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

/**
 * The version a `config rollback` made `version` equal to, where it was made
 * before versions recorded it (`restores`): the newest older one with the
 * same selectors (their hashes match), as `config rollback vN` copies vN's.
 */
function restoredVersion(version: ConfigVersion, versions: readonly ConfigVersion[]): number | undefined {
  return versions
    .filter((other) => other.version < version.version && other.hash === version.hash)
    .reduce<number | undefined>((newest, other) => Math.max(newest ?? 0, other.version), undefined);
}

export { stageMoves };
export type { StageMove };
