import type { ConfigVersionKey } from './config-version.js';
import { RESERVED_KEY_PREFIX } from './parameter-set.js';

/**
 * The key of an AWS stage's live-pair record below `/<app>/<stage>/`: one
 * String parameter that names the live release and config version, with the
 * config version's `name:version` selectors inline, so that a cold start
 * reads it in the same `GetParametersByPath` round trip as the values.
 */
const LIVE_PAIR_KEY = `${RESERVED_KEY_PREFIX}live`;

/** A config version as the live-pair record carries it: its number and selectors. */
interface RecordedConfig {
  readonly config: number;
  readonly keys: Readonly<Record<string, ConfigVersionKey>>;
}

/**
 * The live-pair record. A change is written with `from`, when it takes
 * effect, a little ahead of now, and the version it replaces as `previous`:
 * every reader (web and admin alike) serves `previous` until `from` and the
 * new version from then on, and a cached copy expires at `from`. So there is
 * no moment at which web and admin read different config versions.
 */
interface LivePairRecord extends RecordedConfig {
  readonly release: string;
  /** ISO 8601: when this version takes effect; before it, `previous` is live. */
  readonly from?: string;
  readonly previous?: RecordedConfig;
}

/** Whether `value` is a config version's selectors: each key's parameter version and whether it is secure. */
function isConfigVersionKeys(value: unknown): value is Record<string, ConfigVersionKey> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every(
      (key: unknown) => typeof (key as ConfigVersionKey)?.version === 'number' && typeof (key as ConfigVersionKey).secure === 'boolean',
    )
  );
}

/**
 * Reads the live-pair record's text, or undefined when it is not one (a
 * stage from before config versions has none).
 */
function parseLivePairRecord(text: string | undefined): LivePairRecord | undefined {
  if (text === undefined) return undefined;
  let value: Partial<LivePairRecord>;
  try {
    value = JSON.parse(text) as Partial<LivePairRecord>;
  } catch {
    return undefined;
  }
  if (typeof value.release !== 'string' || typeof value.config !== 'number' || !isConfigVersionKeys(value.keys)) return undefined;
  const previous = value.previous;
  const usablePrevious = previous !== undefined && typeof previous.config === 'number' && isConfigVersionKeys(previous.keys);
  return {
    release: value.release,
    config: value.config,
    keys: value.keys,
    ...(typeof value.from === 'string' ? { from: value.from } : {}),
    ...(usablePrevious ? { previous: { config: previous.config, keys: previous.keys } } : {}),
  };
}

/** The config version live at `now` by the record: `previous` before the switch time, the new one from then on. */
function liveConfigAt(record: LivePairRecord, now: number): RecordedConfig {
  if (record.previous !== undefined && record.from !== undefined && now < Date.parse(record.from)) return record.previous;
  return { config: record.config, keys: record.keys };
}

export { isConfigVersionKeys, LIVE_PAIR_KEY, liveConfigAt, parseLivePairRecord };
export type { LivePairRecord, RecordedConfig };
