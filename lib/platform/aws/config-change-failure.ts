import { configVersionLabel } from '../../core/config-version.js';
import { isCnfError, toldMore } from '../../core/errors.js';

/** `error` with `told` after its message, its exit code kept, and its hint unless `hint` replaces it; anything but a CnfError (a bug) as it is. */
function telling(error: unknown, told: string, hint?: string): unknown {
  if (!isCnfError(error)) return error;
  return toldMore(error, told, { ...(hint === undefined ? {} : { hint }), cause: error });
}

/**
 * The error of a config change whose live-pair record could not be
 * written: the version it recorded is not live, and the message says which
 * one is (`null`: none before the stage's first record), or, where the
 * record could not be read back either (`undefined`), that it is not known.
 * Its hint says to look, not to try again: the change made a version.
 *
 * @example
 * throw notLiveFailure(error, 3, 2, 'prod'); // "… Config v3 was recorded but is not live: v2 stays live."
 */
function notLiveFailure(error: unknown, made: number, live: number | null | undefined, stage: string): unknown {
  const label = configVersionLabel(made);
  const hint = `See which version is live with: cnf-admin config history --stage ${stage}; config rollback ${label} makes it live.`;
  if (live === undefined) return telling(error, `Config ${label} was recorded; whether it went live could not be read back.`, hint);
  const stays = live === null ? 'no version is live yet' : `${configVersionLabel(live)} stays live`;
  return telling(error, `Config ${label} was recorded but is not live: ${stays}.`, hint);
}

/**
 * The error of a config change that went live but whose move of the live
 * pair could not be recorded: the message says the version is live.
 */
function unrecordedMoveFailure(error: unknown, made: number, stage: string): unknown {
  return telling(
    error,
    `Config ${configVersionLabel(made)} is live all the same; only its move of the live pair is missing from the ledger (config history and the ui's moves).`,
    `Nothing to do again: see the live version with cnf-admin config history --stage ${stage}`,
  );
}

export { notLiveFailure, unrecordedMoveFailure };
