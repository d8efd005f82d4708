import { configVersionLabel } from '../../core/config-version.js';
import { isCnfError, toldMore } from '../../core/errors.js';

/** `error` with `told` after its message, its exit code kept, and its hint unless `hint` replaces it; anything but a CnfError (a bug) as it is. */
function telling(error: unknown, told: string, hint?: string): unknown {
  if (!isCnfError(error)) return error;
  return toldMore(error, told, { ...(hint === undefined ? {} : { hint }), cause: error });
}

/** Whether a version that did not go live was marked so in the ledger, and why not. */
type NeverLiveMark = { readonly marked: true } | { readonly marked: false; readonly why: string };

/**
 * The error of a config change whose live-pair record could not be
 * written: the version it recorded is not live, and the message says which
 * one is (`null`: none before the stage's first record), or, where the
 * record could not be read back either (`undefined`), that it is not known.
 * A version known not to be live was marked never live (`mark`): the hint
 * says to make the change again, since `config rollback` refuses it; one
 * whose fate is unknown may be live, and the hint says to look.
 *
 * @example
 * throw notLiveFailure(error, 3, 2, 'prod', { marked: true }); // "… Config v3 was recorded but is not live: v2 stays live; …"
 */
function notLiveFailure(error: unknown, made: number, live: number | null | undefined, stage: string, mark?: NeverLiveMark): unknown {
  const label = configVersionLabel(made);
  const hint = `See which version is live with: cnf-admin config history --stage ${stage}; config rollback ${label} makes it live.`;
  if (live === undefined) return telling(error, `Config ${label} was recorded; whether it went live could not be read back.`, hint);
  const stays = live === null ? 'no version is live yet' : `${configVersionLabel(live)} stays live`;
  if (mark === undefined) return telling(error, `Config ${label} was recorded but is not live: ${stays}.`, hint);
  const history = mark.marked
    ? `config history marks ${label} never live.`
    : `${label} could not be marked never live either (${mark.why.replace(/[.\s]*$/, '')}), so config history lists it as any version.`;
  return telling(
    error,
    `Config ${label} was recorded but is not live: ${stays}; ${history}`,
    `Make the change again once the cause is fixed; see the live version with: cnf-admin config history --stage ${stage}`,
  );
}

/**
 * The error of a config change whose version the ledger refused to record
 * (denied): no version was made, and the live one (`live`; undefined: none yet)
 * stays; a `config set` (`wroteValue`) has put its value in SSM already,
 * where it is kept as a parameter version that no config version names.
 *
 * @example
 * throw unmadeVersionFailure(error, 7, true); // "… No config version was made: config v7 stays live (the value …)."
 */
function unmadeVersionFailure(error: unknown, live: number | undefined, wroteValue: boolean): unknown {
  const stays = live === undefined ? 'the stage keeps no version yet' : `config ${configVersionLabel(live)} stays live`;
  const kept = wroteValue ? ' (the value it wrote is kept in SSM as a parameter version that no config version names)' : '';
  return telling(error, `No config version was made: ${stays}${kept}.`);
}

/**
 * The error of a config change whose version the ledger may or may not have
 * recorded (a 5xx, a dropped connection, after the SDK's retries): the live
 * config (`live`; undefined: none yet) stays, since the live-pair record was
 * not written; a `config set` (`wroteValue`) has put its value in SSM
 * already, where it is kept; whether a version was recorded is not known,
 * and the hint says where to look and what to do.
 *
 * @example
 * throw unknownVersionFailure(error, 7, true, 'prod'); // "… Whether a new config version was recorded is not known: config v7 stays live …"
 */
function unknownVersionFailure(error: unknown, live: number | undefined, wroteValue: boolean, stage: string): unknown {
  const stays = live === undefined ? 'no config version is live yet' : `config ${configVersionLabel(live)} stays live`;
  const kept = wroteValue ? '; the value it wrote is kept in SSM as a parameter version' : '';
  const past = live === undefined ? 'a version' : `a version after ${configVersionLabel(live)}`;
  return telling(
    error,
    `Whether a new config version was recorded is not known: ${stays}${kept}.`,
    `See with: cnf-admin config history --stage ${stage}; ${past} listed there was recorded but never went live (config rollback to it makes it live); else make the change again.`,
  );
}

/**
 * What a config change that went live says when the ledger would not
 * record its move of the live pair: not a failure (the version is live, and
 * nothing is to be done again), but what is missing, what that changes, and
 * where to see what is live. A rollback says the same of its own move.
 *
 * @example
 * unrecordedMoveNotice(error, 3, 'r-6765a295784c', 'prod'); // "Config v3 is live, but the ledger did not record …"
 */
function unrecordedMoveNotice(error: unknown, made: number, release: string, stage: string): string {
  const why = (error instanceof Error ? error.message : String(error)).replace(/[.\s]*$/, '');
  return (
    `Config ${configVersionLabel(made)} is live, but the ledger did not record its move of the live pair (${why}): ` +
    `config history and the ui do not list the move, and ${release}'s pinned config is read from the moves it recorded before. ` +
    `See the live version with: cnf-admin config history --stage ${stage}`
  );
}

export { notLiveFailure, unknownVersionFailure, unmadeVersionFailure, unrecordedMoveNotice };
