import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';
import { visibleControls } from './visible-controls.js';
import { MASK, type Parameter } from './parameter-set.js';

/**
 * How many versions of one parameter SSM keeps (and the local stage keeps
 * too): a 101st `PutParameter` drops the oldest, and a config version that
 * names a dropped version can no longer be restored.
 */
const PARAMETER_VERSION_HISTORY = 100;

/** Which version of a parameter holds a key's value in a config version: a `name:version` selector, never the value. */
interface ConfigVersionKey {
  /** The parameter version (SSM's, or the local store's), 1 and up. */
  readonly version: number;
  /** Whether the value is secure (an SSM SecureString). */
  readonly secure: boolean;
}

/** What made a config version. */
type ConfigVersionCause = 'set' | 'unset' | 'deploy' | 'config-rollback' | 'initial';

/**
 * An immutable snapshot of a stage's parameter set, `v<N>`: which parameter
 * version holds each key (values are never copied), a hash, who, when, and
 * which keys changed.
 */
interface ConfigVersion {
  /** N of `v<N>`, 1 and up. */
  readonly version: number;
  /** The keys it holds, each with the parameter version that holds its value. */
  readonly keys: Readonly<Record<string, ConfigVersionKey>>;
  /** `cv-` and 12 hex digits over its selectors: two versions with the same hash hold the same values. */
  readonly hash: string;
  /** Who made it (an IAM ARN on AWS, `user@host` locally). */
  readonly createdBy: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly cause: ConfigVersionCause;
  /** The keys added, removed or changed against the version it was made from. */
  readonly changed: readonly string[];
  /** For a `config-rollback`: the version it was made equal to (absent from versions made before it was recorded). */
  readonly restores?: number;
  /**
   * Recorded by a change that failed before it went live (AWS: the live-pair
   * record, read back, named another version). It never served, so
   * `config history` marks it and `config rollback` refuses it; absent from
   * every version that went live, and from one whose change could not tell.
   */
  readonly neverLive?: true;
}

/** The hash of a config version's selectors. */
function configVersionHash(keys: Readonly<Record<string, ConfigVersionKey>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(keys).sort()) hash.update(`${key}:${keys[key]?.version}:${keys[key]?.secure ? 's' : 'p'}\n`);
  return `cv-${hash.digest('hex').slice(0, 12)}`;
}

/** The keys whose selectors differ between two versions' key maps. */
function changedKeys(from: Readonly<Record<string, ConfigVersionKey>>, to: Readonly<Record<string, ConfigVersionKey>>): string[] {
  const all = new Set([...Object.keys(from), ...Object.keys(to)]);
  return [...all].filter((key) => from[key]?.version !== to[key]?.version || from[key]?.secure !== to[key]?.secure).sort();
}

/** Keys as a plain object sorted by name (for equality, and for what is stored). */
function sortedConfigKeys(keys: Readonly<Record<string, ConfigVersionKey>>): Record<string, ConfigVersionKey> {
  return Object.fromEntries(
    Object.keys(keys)
      .sort()
      .map((key) => [key, keys[key] as ConfigVersionKey]),
  );
}

/** What a new config version is made of; its hash and its changed keys follow from them. */
interface ConfigVersionParts {
  readonly version: number;
  readonly keys: Readonly<Record<string, ConfigVersionKey>>;
  /** The keys of the version it was made from; none for a stage's first version (every key then counts as changed). */
  readonly base?: Readonly<Record<string, ConfigVersionKey>>;
  readonly cause: ConfigVersionCause;
  readonly createdBy: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** For a `config-rollback`: the version it makes this one equal to. */
  readonly restores?: number;
}

/** A new config version: the one way the local stage, `config` on AWS and a deploy's custom resource make one. */
function makeConfigVersion(parts: ConfigVersionParts): ConfigVersion {
  const { version, keys, base = {}, cause, createdBy, createdAt, restores } = parts;
  return {
    version,
    keys,
    hash: configVersionHash(keys),
    createdBy,
    createdAt,
    cause,
    changed: changedKeys(base, keys),
    ...(restores === undefined ? {} : { restores }),
  };
}

/** `v7`, as every command writes a config version. */
function configVersionLabel(version: number): string {
  return `v${version}`;
}

/**
 * Reads `v7` (or `7`, or `V7`) as a config version number.
 *
 * @throws UsageError (64) naming the text when it is not one.
 */
function parseConfigVersion(text: string): number {
  const version = configVersionOf(text);
  if (version === undefined)
    throw new UsageError(`Expected a config version such as v7, got: ${JSON.stringify(text)}`, {
      hint: 'See the versions with: cnf-admin config history, with the same --stage',
    });
  return version;
}

/**
 * The config version `text` names (`v7`, `V7`, `7`, `v07`), or undefined
 * where it names none.
 *
 * @example
 * configVersionOf('v07'); // 7
 * configVersionOf('LOG_LEVEL'); // undefined
 */
function configVersionOf(text: string): number | undefined {
  const match = /^v?0*([1-9][0-9]{0,8})$/i.exec(text.trim());
  return match === null ? undefined : Number(match[1]);
}

/** A release and its config version, as `status` and `releases` show them: `r-6765a295784c · config v7`. */
function livePairLabel(release: string, config: number | undefined): string {
  return config === undefined ? release : `${release} · config ${configVersionLabel(config)}`;
}

/** One line of a config diff. A secure key shows only whether it changed. */
interface ConfigDiffEntry {
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly secure: boolean;
  /** The old value, printable (a secure value is masked). */
  readonly from?: string;
  /** The new value, printable (a secure value is masked). */
  readonly to?: string;
}

/**
 * What a secure key's value is in the values a config version gives for a
 * diff ({@link ConfigVersions.values}): its parameter version, never the
 * value. Two versions of a key differ though they hold the same text, as
 * setting a secure value always makes a version: a diff never tells whether
 * two secrets are equal (a guess right), on AWS, where the CLI never decrypts
 * one, and on the local stage alike.
 */
function secureMarker(version: number): string {
  return `\u0000secure-version-${version}`;
}

/**
 * The per-key difference between two resolved parameter sets: added,
 * removed, changed, unchanged, in key order. Secure values are compared but
 * never shown: they read {@link MASK}.
 */
function diffParameters(from: readonly Parameter[], to: readonly Parameter[]): ConfigDiffEntry[] {
  const before = new Map(from.map((parameter) => [parameter.key, parameter]));
  const after = new Map(to.map((parameter) => [parameter.key, parameter]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const shown = (parameter: Parameter): string => (parameter.secure ? MASK : parameter.value);
  return keys.map((key): ConfigDiffEntry => {
    const old = before.get(key);
    const now = after.get(key);
    if (old === undefined && now !== undefined) return { key, change: 'added', secure: now.secure, to: shown(now) };
    if (now === undefined && old !== undefined) return { key, change: 'removed', secure: old.secure, from: shown(old) };
    const a = old as Parameter;
    const b = now as Parameter;
    const same = a.value === b.value && a.secure === b.secure;
    return { key, change: same ? 'unchanged' : 'changed', secure: a.secure || b.secure, from: shown(a), to: shown(b) };
  });
}

/**
 * A config diff as lines: `+ KEY=value`, `- KEY`, `~ KEY: old -> new`, `~ SECRET (secure): changed`.
 * A value's line breaks and other control characters are written out (`\n`, `\u001b`): one line per key.
 */
function formatConfigDiff(entries: readonly ConfigDiffEntry[], options: { readonly unchanged?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    const [from, to] = [visibleControls(entry.from ?? ''), visibleControls(entry.to ?? '')];
    if (entry.change === 'added') lines.push(`+ ${entry.key}${entry.secure ? ' (secure): added' : `=${to}`}`);
    else if (entry.change === 'removed') lines.push(`- ${entry.key}${entry.secure ? ' (secure)' : ''}: removed`);
    else if (entry.change === 'changed') lines.push(entry.secure ? `~ ${entry.key} (secure): changed` : `~ ${entry.key}: ${from} -> ${to}`);
    else if (options.unchanged === true) lines.push(`  ${entry.key}${entry.secure ? ' (secure)' : ''}: unchanged`);
  }
  return lines;
}

/** What to do about a config version a parameter's history no longer holds (it keeps 100 versions of each). */
const UNRESTORABLE_CONFIG_HINT =
  'A newer config version may still be whole: cnf-admin config history lists them (and config diff compares two); or set the key to the value it should have, with the same --stage.';

export {
  changedKeys,
  configVersionHash,
  configVersionLabel,
  configVersionOf,
  diffParameters,
  formatConfigDiff,
  livePairLabel,
  makeConfigVersion,
  PARAMETER_VERSION_HISTORY,
  parseConfigVersion,
  secureMarker,
  sortedConfigKeys,
  UNRESTORABLE_CONFIG_HINT,
};
export type { ConfigDiffEntry, ConfigVersion, ConfigVersionCause, ConfigVersionKey, ConfigVersionParts };
