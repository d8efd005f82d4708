import { largest } from '../../core/largest.js';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import {
  makeConfigVersion,
  PARAMETER_VERSION_HISTORY,
  secureMarker,
  type ConfigVersion,
  type ConfigVersionCause,
  type ConfigVersionKey,
  UNRESTORABLE_CONFIG_HINT,
} from '../../core/config-version.js';
import { UnavailableError } from '../../core/errors.js';
import { assertValidConfigKey, type Parameter } from '../../core/parameter-set.js';
import type { ConfigVersions, ParameterStore } from '../../core/platform.js';
import { removeAbandonedTemporaries, writeFileAtomic } from '../../core/files/atomic-file.js';
import {
  keptPlainValues,
  keptSecrets,
  unrestorableReason,
  valuesOfVersion,
  type LivePairMove,
  type LocalConfigFile,
  type LocalValueVersion,
  type StoredValue,
} from '../../runtime/local-config-file.js';
import { ownEntries, readStateFile, stateFault } from './local-state.js';
import { withStateLock } from './state-lock.js';

const versionNumber = z.int().check(z.minimum(1));
const storedValue = z.looseObject({ value: z.string(), secure: z.boolean() });
const configVersionSchema = z.looseObject({
  version: versionNumber,
  keys: z.record(z.string(), z.object({ version: versionNumber, secure: z.boolean() })),
  hash: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  cause: z.string(),
  changed: z.array(z.string()),
  restores: z.optional(versionNumber),
});

/** `parameters.json`: see {@link LocalConfigFile}. */
const parameterFileSchema = z
  .looseObject({
    parameters: z.record(z.string(), storedValue),
    values: z.optional(z.record(z.string(), z.array(z.extend(storedValue, { version: versionNumber, at: z.string() })))),
    versions: z.optional(z.array(configVersionSchema)),
    live: z.optional(versionNumber),
    pairs: z.optional(z.array(z.looseObject({ release: z.string(), config: z.int(), at: z.string(), by: z.string(), cause: z.string() }))),
    managed: z.optional(z.array(z.string())),
  })
  .check(
    // The live version is one the file holds: a `live` naming no version would run, and record, a config that is not there.
    z.refine(
      (file) =>
        file.live === undefined
          ? (file.versions ?? []).length === 0
          : (file.versions ?? []).some((version) => version.version === file.live),
      { message: 'must name one of the config versions that "versions" holds', path: ['live'] },
    ),
  );

/** Owner-only: the file holds the stage's secure values. */
const FILE_MODE = 0o600;

/** A change of the parameter set, made under the state lock: the new live key map, or undefined for no change. */
type KeyChange = (file: Mutable, live: Readonly<Record<string, ConfigVersionKey>>) => Record<string, ConfigVersionKey> | undefined;

/** The file as a change builds it. */
interface Mutable {
  parameters: Record<string, StoredValue>;
  values: Record<string, LocalValueVersion[]>;
  versions: ConfigVersion[];
  live: number | undefined;
  pairs: LivePairMove[];
  managed: string[];
}

/* The parameter file holds what nothing else does: moved aside, every value and config version would be gone. */
const REPAIR_PARAMETER_FILE =
  "It is the stage's parameter set: every value (the secure ones too) and every config version. Do not move it aside, which would lose them all: mend the part named above in an editor, or restore the file from a backup.";

/* How the parameter file is read: what to do when it is damaged, and never a piece of its text in the error (it holds the secrets). */
const PARAMETER_FILE_READ = { repair: REPAIR_PARAMETER_FILE, holdsSecrets: true } as const;

/** What a change of the file answers when it changed nothing: the file is then not written. */
const UNCHANGED = Symbol('unchanged');

/**
 * The local stage's parameter set, versioned: one JSON file under
 * `.cnf/local/` (mode 0600), the same file the runtime's config loader reads.
 * Every `set` and `unset` keeps the key's new value as a new value version
 * (at most {@link PARAMETER_VERSION_HISTORY}, as SSM keeps) and makes a new
 * config version, which goes live at once, with the live release.
 */
class LocalParameterStore implements ParameterStore, ConfigVersions {
  /** The last parse of the file for reading only, and the file's inode, size and time it was made from. */
  #kept: { readonly stamp: string; readonly file: Promise<Mutable> } | undefined;

  /**
   * @param file - the parameter file
   * @param who - who makes changes, as versions record it
   * @param liveRelease - the release live now, recorded with each config change
   * @param stageLock - runs a `set` or `unset` holding the stage's lock, which
   *   deploys and rollbacks hold: a config change never lands in the middle
   *   of one, to be lost when it moves the live pair (75 instead)
   */
  constructor(
    private readonly file: string,
    private readonly who: () => string = () => 'cnf-admin',
    private readonly liveRelease: () => Promise<string | undefined> = async () => undefined,
    private readonly stageLock: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  ) {}

  async list(): Promise<Parameter[]> {
    const parameters = (await this.#readKept()).parameters;
    return Object.keys(parameters)
      .sort()
      .map((key) => ({ key, ...(parameters[key] as StoredValue) }));
  }

  /** Every secure value the parameter set holds, those of earlier versions too (see {@link keptSecrets}). */
  async secrets(): Promise<string[]> {
    return keptSecrets(await this.#readKept());
  }

  /** Every plain value the parameter set holds, with its key, those of earlier versions too (see {@link keptPlainValues}). */
  async keptPlainValues(): Promise<{ readonly key: string; readonly value: string; readonly live: boolean }[]> {
    return keptPlainValues(await this.#readKept());
  }

  async get(key: string): Promise<Parameter | undefined> {
    assertValidConfigKey(key);
    const parameters = (await this.#readKept()).parameters;
    return Object.hasOwn(parameters, key) ? { key, ...(parameters[key] as StoredValue) } : undefined;
  }

  async set(key: string, value: string, options: { readonly secure: boolean }): Promise<void> {
    assertValidConfigKey(key);
    await this.#changeKeys('set', (file, live) => {
      const current = file.parameters[key];
      // A plain value set to what it is makes no version; a secure one always does, as on AWS: else the answer would confirm a guessed secret.
      if (!options.secure && current?.value === value && current.secure === false && live[key] !== undefined) return undefined;
      return { ...live, [key]: { version: keepValue(file, key, { value, secure: options.secure }), secure: options.secure } };
    });
  }

  async unset(key: string): Promise<boolean> {
    assertValidConfigKey(key);
    let existed = false;
    await this.#changeKeys('unset', (file, live) => {
      existed = Object.hasOwn(file.parameters, key);
      if (!existed) return undefined;
      return Object.fromEntries(Object.entries(live).filter(([name]) => name !== key));
    });
    return existed;
  }

  /**
   * Sets a key cnf-admin keeps itself (the embedded database's URL): it is
   * always current and in no config version, so it never makes one.
   */
  async setManaged(key: string, value: string): Promise<void> {
    await this.#change(async (file) => {
      file.parameters[key] = { value, secure: false };
      if (!file.managed.includes(key)) file.managed.push(key);
    });
  }

  /** Creates the parameter file with `parameters`, the managed ones among them, as config v1. */
  async initialize(parameters: Record<string, StoredValue>, managed: readonly string[] = []): Promise<void> {
    await this.#change(async (file) => {
      for (const [key, value] of Object.entries(parameters)) file.parameters[key] = value;
      for (const key of managed) if (!file.managed.includes(key)) file.managed.push(key);
      ensureFirstVersion(file, this.who());
    });
  }

  /** Whether the parameter file exists yet. */
  async exists(): Promise<boolean> {
    return (await readStateFile(this.file, parameterFileSchema, PARAMETER_FILE_READ)) !== undefined;
  }

  async versions(): Promise<ConfigVersion[]> {
    return [...(await this.#readKept()).versions];
  }

  async live(): Promise<number | undefined> {
    return (await this.#readKept()).live;
  }

  async values(version: number): Promise<Parameter[]> {
    const file = await this.#readKept();
    const problem = unrestorableReason(file, version);
    if (problem !== undefined)
      throw new UnavailableError(`${capitalized(problem)}; it cannot be read.`, { hint: UNRESTORABLE_CONFIG_HINT });
    const values = version === file.live ? file.parameters : valuesOfVersion(file, version);
    const keys = file.versions.find((candidate) => candidate.version === version)?.keys ?? {};
    // A secure key is compared by its value's version, as on AWS: a diff never tells whether two secrets are equal.
    return Object.keys(values)
      .sort()
      .map((key) => {
        const { value, secure } = values[key] as StoredValue;
        return { key, secure, value: secure ? secureMarker(keys[key]?.version ?? 0) : value };
      });
  }

  async unrestorable(version: number): Promise<string | undefined> {
    return unrestorableReason(await this.#readKept(), version);
  }

  async restore(version: number): Promise<ConfigVersion> {
    const made = await this.#changeKeys(
      'config-rollback',
      (file) => {
        const problem = unrestorableReason(file, version);
        if (problem !== undefined)
          throw new UnavailableError(`${capitalized(problem)}; it cannot be restored.`, { hint: UNRESTORABLE_CONFIG_HINT });
        return { ...(file.versions.find((candidate) => candidate.version === version) as ConfigVersion).keys };
      },
      version,
    );
    return made as ConfigVersion;
  }

  /** Every move of the live pair, oldest first. */
  async moves(): Promise<LivePairMove[]> {
    return [...(await this.#readKept()).pairs];
  }

  /**
   * Records that `release` went live with config `config` (or with the live
   * config when undefined), making the live config version `config`. Runs under
   * the state lock the caller holds ({@link withStateLock} is not re-entrant):
   * `write` is called with the new file.
   */
  async recordMove(move: Omit<LivePairMove, 'config' | 'at' | 'by'> & { readonly config?: number }, locked = false): Promise<LivePairMove> {
    let recorded: LivePairMove | undefined;
    const change = async (file: Mutable): Promise<void> => {
      ensureFirstVersion(file, this.who());
      const config = move.config ?? (file.live as number);
      if (config !== file.live) {
        const problem = unrestorableReason(file, config);
        if (problem !== undefined)
          throw new UnavailableError(`${capitalized(problem)}; it cannot be restored.`, { hint: UNRESTORABLE_CONFIG_HINT });
        file.live = config;
        file.parameters = { ...valuesOfVersion(file, config) };
      }
      recorded = { ...move, config, at: new Date().toISOString(), by: this.who() };
      file.pairs.push(recorded);
    };
    await (locked ? this.#changeUnlocked(change) : this.#change(change));
    return recorded as LivePairMove;
  }

  /**
   * The file as it is now, for reading only: parsed again only when it
   * changed since (another inode, size or time: every write renames a new
   * file into place). `config history` asks for each version whether it can
   * be restored, `ui` reads runs all along: one parse serves them all. A
   * change reads afresh ({@link #read}), under the stage's lock.
   */
  async #readKept(): Promise<Mutable> {
    const stats = await stat(this.file).catch(() => undefined);
    const stamp = stats === undefined ? undefined : `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    if (stamp !== undefined && this.#kept?.stamp === stamp) return this.#kept.file;
    const file = this.#read();
    this.#kept = stamp === undefined ? undefined : { stamp, file };
    return file;
  }

  /**
   * The file, its maps without a prototype (a key the user typed finds only
   * parameters). A file that others may read (written by an older version,
   * or copied) is made its owner's only first.
   */
  async #read(): Promise<Mutable> {
    await this.#restrict();
    const read = (await readStateFile(this.file, parameterFileSchema, PARAMETER_FILE_READ)) as LocalConfigFile | undefined;
    return {
      parameters: ownEntries(read?.parameters ?? {}) as Record<string, StoredValue>,
      values: ownEntries(read?.values ?? {}) as Record<string, LocalValueVersion[]>,
      versions: [...(read?.versions ?? [])],
      live: read?.live,
      pairs: [...(read?.pairs ?? [])],
      managed: [...(read?.managed ?? [])],
    };
  }

  async #write(file: Mutable): Promise<void> {
    const { parameters, values, versions, live, pairs, managed } = file;
    const json: LocalConfigFile = { parameters, values, versions, ...(live === undefined ? {} : { live }), pairs, managed };
    await writeFileAtomic(this.file, `${JSON.stringify(json, null, 2)}\n`, FILE_MODE);
    // The values a killed write had staged beside the file are secrets too.
    await removeAbandonedTemporaries(this.file);
  }

  /** Makes a new config version from the live one with `change`, live at once; resolves to it (undefined: no change). */
  async #changeKeys(cause: ConfigVersionCause, change: KeyChange, restores?: number): Promise<ConfigVersion | undefined> {
    return this.stageLock(async () => this.#changeKeysLocked(cause, change, restores));
  }

  async #changeKeysLocked(cause: ConfigVersionCause, change: KeyChange, restores?: number): Promise<ConfigVersion | undefined> {
    const release = await this.liveRelease();
    let made: ConfigVersion | undefined;
    await this.#change(async (file) => {
      const before = ensureFirstVersion(file, this.who());
      const keys = change(file, before?.keys ?? {});
      // Nothing changes (an unset of a key the stage does not have): nothing is written, not even a first version.
      if (keys === undefined) return UNCHANGED;
      const version = makeConfigVersion({
        version: largest(file.versions.map((candidate) => candidate.version)) + 1,
        keys,
        ...(before === undefined ? {} : { base: before.keys }),
        cause,
        createdBy: this.who(),
        createdAt: new Date().toISOString(),
        ...(restores === undefined ? {} : { restores }),
      });
      file.versions.push(version);
      file.live = version.version;
      file.parameters = { ...valuesOfVersion(file, version.version) };
      if (release !== undefined)
        file.pairs.push({ release, config: version.version, at: version.createdAt, by: version.createdBy, cause: 'config' });
      made = version;
    });
    return made;
  }

  /** Reads, changes and writes the file under the stage's state lock: concurrent changes never lose one another. */
  async #change(change: (file: Mutable) => Promise<void | typeof UNCHANGED>): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await withStateLock(dirname(this.file), async () => this.#changeUnlocked(change));
    } catch (error) {
      throw stateFault(error, this.file);
    }
  }

  async #restrict(): Promise<void> {
    let mode: number;
    try {
      mode = (await stat(this.file)).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw stateFault(error, this.file, 'read');
    }
    if ((mode & 0o077) === 0) return;
    try {
      await chmod(this.file, FILE_MODE);
    } catch (error) {
      throw stateFault(error, this.file);
    }
  }

  async #changeUnlocked(change: (file: Mutable) => Promise<void | typeof UNCHANGED>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const file = await this.#read();
    if ((await change(file)) === UNCHANGED) return;
    await this.#write(file);
  }
}

/** `config v2 needs …` as the start of a sentence. */
function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** Keeps `value` as the key's next value version, dropping the oldest beyond 100; returns its version. */
function keepValue(file: Mutable, key: string, value: StoredValue): number {
  const kept = file.values[key] ?? [];
  const version = (kept.at(-1)?.version ?? 0) + 1;
  file.values[key] = [...kept, { ...value, version, at: new Date().toISOString() }].slice(-PARAMETER_VERSION_HISTORY);
  return version;
}

/**
 * The live config version, made first (v1, `initial`) from the parameters
 * the file holds when it has none yet (a stage from before config versions).
 */
function ensureFirstVersion(file: Mutable, who: string): ConfigVersion | undefined {
  const live = file.versions.find((candidate) => candidate.version === file.live);
  if (live !== undefined) return live;
  const keys: Record<string, ConfigVersionKey> = {};
  for (const [key, value] of Object.entries(file.parameters)) {
    if (file.managed.includes(key)) continue;
    keys[key] = { version: keepValue(file, key, value), secure: value.secure };
  }
  const version = makeConfigVersion({ version: 1, keys, cause: 'initial', createdBy: who, createdAt: new Date().toISOString() });
  file.versions.push(version);
  file.live = 1;
  return version;
}

export { LocalParameterStore };
