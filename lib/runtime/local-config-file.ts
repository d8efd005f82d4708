import type { ConfigVersion, ConfigVersionCause } from '../core/config-version.js';

/** A parameter value together with whether it is secure. */
interface StoredValue {
  readonly value: string;
  readonly secure: boolean;
}

/** One kept version of one key's value in the local parameter store. */
interface LocalValueVersion extends StoredValue {
  /** 1 and up, as SSM numbers a parameter's versions. */
  readonly version: number;
  /** ISO 8601. */
  readonly at: string;
}

/** What moved the live pair. */
type LivePairCause = 'deploy' | 'config' | 'rollback';

/** One move of the stage's live pair (release and config version), oldest first in the record. */
interface LivePairMove {
  readonly release: string;
  /** The config version that went live with it. */
  readonly config: number;
  readonly at: string;
  readonly by: string;
  readonly cause: LivePairCause | ConfigVersionCause;
  /** A rollback's run id and reason. */
  readonly runId?: string;
  readonly reason?: string;
  /** A deploy's git commit and description, where it ran in a git checkout. */
  readonly gitSha?: string;
  readonly description?: string;
}

/**
 * The local stage's parameter store, `.cnf/local/parameters.json` (mode 0600):
 * - `parameters`: the live config version's values, which the web server reads;
 * - `values`: each key's value history (at most 100 versions, as SSM keeps);
 * - `versions`: the config versions, each a map of key to value version;
 * - `live`: the live config version; `pairs`: every move of the live pair;
 * - `managed`: keys cnf-admin keeps itself (the embedded database's URL): always current, in no version.
 */
interface LocalConfigFile {
  readonly parameters: Record<string, StoredValue>;
  readonly values?: Record<string, readonly LocalValueVersion[]>;
  readonly versions?: readonly ConfigVersion[];
  readonly live?: number;
  readonly pairs?: readonly LivePairMove[];
  readonly managed?: readonly string[];
}

/** Why a config version of the file cannot be read, or undefined when it can. */
function unrestorableReason(file: LocalConfigFile, version: number): string | undefined {
  const config = file.versions?.find((candidate) => candidate.version === version);
  if (config === undefined) return `config v${version} does not exist`;
  for (const [key, selector] of Object.entries(config.keys)) {
    if (!file.values?.[key]?.some((kept) => kept.version === selector.version))
      return `config v${version} needs ${key}:${selector.version}, which has fallen out of the parameter's history of 100 versions`;
  }
  return undefined;
}

/**
 * The values of config version `version` of the file, managed keys taken as
 * they are now.
 *
 * @throws Error naming the key when a value the version needs is no longer kept.
 */
function valuesOfVersion(file: LocalConfigFile, version: number): Record<string, StoredValue> {
  const problem = unrestorableReason(file, version);
  if (problem !== undefined) throw new Error(problem);
  const config = file.versions?.find((candidate) => candidate.version === version) as ConfigVersion;
  const values: Record<string, StoredValue> = Object.create(null) as Record<string, StoredValue>;
  for (const [key, selector] of Object.entries(config.keys)) {
    const kept = file.values?.[key]?.find((candidate) => candidate.version === selector.version) as LocalValueVersion;
    values[key] = { value: kept.value, secure: kept.secure };
  }
  for (const key of file.managed ?? []) {
    const current = file.parameters[key];
    if (current !== undefined) values[key] = current;
  }
  return values;
}

/** A value the file keeps, with its key, and whether it is the key's live value (else a kept version's). */
interface KeptValue {
  readonly key: string;
  readonly value: string;
  readonly secure: boolean;
  readonly live: boolean;
}

/** Every value the file keeps: the live ones first, then those of every kept version, of keys since removed too. */
function keptValues(file: LocalConfigFile): KeptValue[] {
  return [
    ...Object.entries(file.parameters).map(([key, stored]) => ({ key, value: stored.value, secure: stored.secure, live: true })),
    ...Object.entries(file.values ?? {}).flatMap(([key, kept]) =>
      kept.map((stored) => ({ key, value: stored.value, secure: stored.secure, live: false })),
    ),
  ];
}

/**
 * Every secure value the file keeps: the live ones and those of every kept
 * version. A value rotated out is still a secret, and a rollback makes it
 * live again: a local run redacts them all, and the CLI masks them out of
 * what it shows of runs.
 */
function keptSecrets(file: LocalConfigFile): string[] {
  return [...new Set(keptValues(file).flatMap((kept) => (kept.secure ? [kept.value] : [])))];
}

/**
 * Every plain value the file keeps, with its key, the live ones first: those
 * of every kept version too, of keys since removed as well. `config diff` and
 * `config rollback` print them, so no secret may be one of them.
 */
function keptPlainValues(file: LocalConfigFile): { readonly key: string; readonly value: string; readonly live: boolean }[] {
  return keptValues(file).flatMap(({ key, value, secure, live }) => (secure ? [] : [{ key, value, live }]));
}

export { keptPlainValues, keptSecrets, unrestorableReason, valuesOfVersion };
export type { LivePairCause, LivePairMove, LocalConfigFile, LocalValueVersion, StoredValue };
