import {
  configVersionHash,
  configVersionLabel,
  makeConfigVersion,
  PARAMETER_VERSION_HISTORY,
  secureMarker,
  sortedConfigKeys,
  type ConfigVersion,
  type ConfigVersionCause,
  type ConfigVersionKey,
  UNRESTORABLE_CONFIG_HINT,
} from '../../core/config-version.js';
import { isCnfError, PermissionError, UnavailableError, UsageError } from '../../core/errors.js';
import type { LivePairRecord } from '../../core/live-pair-record.js';
import type { Parameter } from '../../core/parameter-set.js';
import type { ConfigVersions } from '../../core/platform.js';
import type { PairMove } from '../../core/config-ledger.js';
import { newRunId } from '../../core/run.js';
import { NumbersTakenError, type ConfigLedgerStore } from './config-ledger-store.js';
import { notLiveFailure, unknownVersionFailure, unmadeVersionFailure, unrecordedMoveNotice } from './config-change-failure.js';
import {
  currentSelectors,
  heldVersions,
  readLivePairRecord,
  readSelected,
  writeLivePairRecord,
  type HeldVersions,
  type SelectedValue,
  type SsmScope,
} from './ssm-versions.js';

/**
 * How far ahead a config change takes effect (`from` in the live-pair
 * record): the web function's config cache time (`loadConfig({ maxAgeSeconds })`,
 * 30 s in the example app) at most, so that every warm container's cached
 * copy has expired by then and web and admin switch at the same moment.
 */
const CONFIG_SWITCH_SECONDS = 30;

/**
 * How long after a config version was made SSM may have written a parameter
 * version it names before that version counts as written again (its
 * parameter deleted and re-created). A version's `createdAt` is by AWS's
 * clock, as SSM's answers tell it to the second (server-clock.ts): the room
 * is for that grain, and for versions stamped by a machine's own clock (by
 * an earlier cnf-admin) to disagree with SSM's `LastModifiedDate`.
 */
const REWRITTEN_AFTER_SECONDS = 60;

/** What {@link AwsConfigVersions} works with. */
interface AwsConfigSources extends SsmScope {
  /** Undefined for a stage whose record names no ledger table: it keeps no config versions. */
  readonly ledger: () => Promise<ConfigLedgerStore | undefined>;
  /** Who is calling (an IAM ARN). */
  readonly caller: () => Promise<string>;
  /** The release behind the live alias pair, or undefined before the first deploy. */
  readonly liveRelease: () => Promise<string | undefined>;
  /** Now by AWS's clock (ms since the epoch), which a version's `createdAt` is stamped with. @default this machine's clock */
  readonly now?: () => number;
}

/** A change of the config keys, made under the stage-wide lock from the live version's keys. */
type KeysChange = (base: Readonly<Record<string, ConfigVersionKey>>) => Promise<Record<string, ConfigVersionKey> | undefined>;

/**
 * An AWS stage's config versions: the manifests (`name:version` selectors)
 * in the run ledger table, the live one inline in the live-pair record
 * `/<app>/<stage>/_cnf/live`, the values in SSM's parameter versions.
 */
class AwsConfigVersions implements ConfigVersions {
  #record: Promise<LivePairRecord | undefined> | undefined;
  #versions: Promise<ConfigVersion[]> | undefined;
  #unrecordedMove: string | undefined;
  /** Each key's parameter history, read once per command (versions are immutable). */
  readonly #held = new Map<string, Promise<HeldVersions>>();

  constructor(private readonly sources: AwsConfigSources) {}

  /** The live-pair record, read once per command (a change reads it again under the lock). */
  record(): Promise<LivePairRecord | undefined> {
    this.#record ??= readLivePairRecord(this.sources);
    return this.#record;
  }

  /** Forgets the live-pair record read, so that the next question reads it afresh. */
  forget(): void {
    this.#record = undefined;
    this.#versions = undefined;
    this.#held.clear();
  }

  /** Every config version, oldest first, read once per command (a change reads them again under the lock). */
  versions(): Promise<ConfigVersion[]> {
    this.#versions ??= this.sources.ledger().then((ledger) => (ledger === undefined ? [] : ledger.versions()));
    return this.#versions;
  }

  async live(): Promise<number | undefined> {
    return (await this.record())?.config;
  }

  /** When the live config version takes effect for web (ISO 8601), when that is still ahead. */
  async liveFrom(): Promise<string | undefined> {
    const from = (await this.record())?.from;
    return from !== undefined && Date.parse(from) > Date.now() ? from : undefined;
  }

  /**
   * The selectors of a config version: inline in the live-pair record for the
   * live and the previous one, else its item in the ledger.
   *
   * @throws UsageError (64) when the stage has no such version.
   */
  async keysOf(version: number): Promise<Readonly<Record<string, ConfigVersionKey>>> {
    const record = await this.record();
    if (record?.config === version) return record.keys;
    if (record?.previous?.config === version) return record.previous.keys;
    const listed = this.#versions === undefined ? undefined : (await this.#versions).find((candidate) => candidate.version === version);
    const found = listed ?? (await (await this.sources.ledger())?.version(version));
    if (found === undefined)
      throw new UsageError(`Stage ${this.sources.stage} has no config ${configVersionLabel(version)}.`, {
        hint: `See them with: cnf-admin config history --stage ${this.sources.stage}`,
      });
    return found.keys;
  }

  /**
   * Starts reading the parameter histories of these keys (`GetParameterHistory`):
   * a plan that will ask for the values and the restorability of versions made
   * of them gets both from these, in the round trip it was going to wait anyway.
   */
  prefetchHistory(keys: Iterable<string>): void {
    for (const key of keys) this.#history(key).catch(() => undefined);
  }

  #history(key: string): Promise<HeldVersions> {
    let held = this.#held.get(key);
    if (held === undefined) {
      held = heldVersions(this.sources, key);
      this.#held.set(key, held);
    }
    return held;
  }

  /**
   * The values of a version; a secure value is compared by its version, never
   * read. From the parameter histories already asked for, else by selector
   * (`GetParameters`).
   */
  async values(version: number): Promise<Parameter[]> {
    const keys = await this.keysOf(version);
    const known = Object.fromEntries(Object.entries(keys).filter(([key]) => this.#held.has(key)));
    const rest = Object.fromEntries(Object.entries(keys).filter(([key]) => !this.#held.has(key)));
    const [fromHistory, selected, made] = await Promise.all([
      Promise.all(
        Object.entries(known).map(async ([key, selector]): Promise<SelectedValue | string> => {
          const held = (await this.#history(key)).get(selector.version);
          return held === undefined ? key : { ...held, key, version: selector.version, secure: selector.secure };
        }),
      ),
      Object.keys(rest).length === 0 ? { values: [], gone: [] } : readSelected(this.sources, rest),
      this.#createdAt(version),
    ]);
    const values = [...fromHistory.filter((entry): entry is SelectedValue => typeof entry !== 'string'), ...selected.values];
    const gone = [...fromHistory.filter((entry): entry is string => typeof entry === 'string'), ...selected.gone].sort();
    if (gone.length > 0) throw new UnavailableError(this.#goneMessage(version, gone), { hint: UNRESTORABLE_CONFIG_HINT });
    // A number SSM wrote again after the version was made holds another value: never shown as the version's.
    const rewritten = values.filter((value) => writtenAfter(value.written, made)).map(({ key }) => key);
    if (rewritten.length > 0)
      throw new UnavailableError(this.#rewrittenMessage(version, keys, rewritten), { hint: UNRESTORABLE_CONFIG_HINT });
    return values
      .map(({ key, secure, value, version: held }) => ({ key, secure, value: secure ? secureMarker(held) : (value ?? '') }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Why a version cannot be restored: a selected parameter version fell out
   * of SSM's history (`GetParameterHistory`), or SSM wrote it well after the
   * config version was made (`LastModifiedDate`, {@link REWRITTEN_AFTER_SECONDS}
   * later): the parameter was deleted by hand and set again, its numbering
   * restarted, and that number now holds another value.
   */
  async unrestorable(version: number): Promise<string | undefined> {
    const keys = await this.keysOf(version);
    // Asked alongside the histories, in the same round trip.
    const createdAt = this.#createdAt(version);
    const held = await Promise.all(
      Object.entries(keys).map(async ([key, selector]) => {
        const kept = (await this.#history(key)).get(selector.version);
        const made = await createdAt;
        if (kept === undefined) return { gone: [key], rewritten: [] };
        return { gone: [], rewritten: writtenAfter(kept.written, made) ? [key] : [] };
      }),
    );
    const gone = held.flatMap((entry) => entry.gone).sort();
    if (gone.length > 0) return this.#goneMessage(version, gone);
    const rewritten = held.flatMap((entry) => entry.rewritten);
    return rewritten.length === 0 ? undefined : this.#rewrittenMessage(version, keys, rewritten);
  }

  /** When config version `version` was made (ms since the epoch), from the versions listed, or undefined. */
  async #createdAt(version: number): Promise<number | undefined> {
    const found = (await this.versions().catch(() => [])).find((candidate) => candidate.version === version);
    const made = found === undefined ? Number.NaN : Date.parse(found.createdAt);
    return Number.isNaN(made) ? undefined : made;
  }

  async restore(version: number): Promise<ConfigVersion> {
    const keys = await this.keysOf(version);
    const problem = await this.unrestorable(version);
    if (problem !== undefined)
      throw new UnavailableError(`Cannot restore config ${configVersionLabel(version)}: ${problem}.`, { hint: UNRESTORABLE_CONFIG_HINT });
    const { version: made } = await this.change('config-rollback', async () => ({ ...keys }), { always: true, restores: version });
    return made as ConfigVersion;
  }

  /**
   * Makes a new config version from the live one, under the stage-wide lock:
   * records it in the ledger (a number no other change got), writes the
   * live-pair record (the one step that makes it live, at `from`), and
   * records the move of the live pair (a move the ledger would not record
   * fails nothing: {@link unrecordedMove} says so). A stage without config versions yet
   * first gets v1 (`initial`) from the parameters it holds, once `next`
   * has succeeded: a change that fails records nothing.
   *
   * @returns the version live after the change, and whether the change made it
   * @throws UnavailableError (69) on a stage without a run ledger table.
   */
  async change(
    cause: ConfigVersionCause,
    next: KeysChange,
    options: {
      /** Make a version even when it holds what the live one does (a rollback to a version equal to the live one). */
      readonly always?: boolean;
      /** The version a `config-rollback` makes the new one equal to. */
      readonly restores?: number;
      /**
       * The keys `next` put a value of under a version number the base already
       * names (SSM restarted the parameter's numbering after a deletion),
       * asked once `next` is done: the value changed all the same, so a
       * version is made, and names them as changed.
       */
      readonly renumbered?: () => readonly string[];
    } = {},
  ): Promise<{ version: ConfigVersion | undefined; made: boolean }> {
    const ledger = await this.sources.ledger();
    if (ledger === undefined)
      throw new UnavailableError(`Stage ${this.sources.stage} has no run ledger table, where config versions are kept.`, {
        hint: 'Deploy the stage with a cnf-admin construct that creates the run ledger.',
      });
    const caller = await this.sources.caller();
    this.#unrecordedMove = undefined;
    return ledger.withStageLock({ runId: `config-${newRunId()}`, caller }, async () => {
      this.forget();
      // A stage whose aliases disagree (drift, a canary) still takes config changes: the move is then not recorded.
      const liveRelease = this.sources.liveRelease().catch(() => undefined);
      const [record, versions, release] = await Promise.all([this.record(), this.versions(), liveRelease]);
      let newest = versions.at(-1);
      // Without a live-pair record, the newest version is what web reads (one a change left before it could go live).
      let base: ConfigVersion | undefined = record === undefined ? newest : versions.find((version) => version.version === record.config);
      // A stage without versions yet: v1 (initial) names the parameters it holds, recorded only once the change succeeds.
      const fresh = record === undefined && newest === undefined;
      const initial = fresh ? await currentSelectors(this.sources) : {};
      const baseKeys = record?.keys ?? base?.keys ?? initial;
      const keys = await next(baseKeys);
      const renumbered = options.renumbered?.() ?? [];
      if (fresh && Object.keys(initial).length > 0) {
        base = await ledger.add((version) => this.#version(version, initial, {}, 'initial', caller), 0);
        newest = base;
      }
      const always = options.always === true || renumbered.length > 0;
      if (keys === undefined || (!always && configVersionHash(keys) === configVersionHash(baseKeys))) {
        if (base === undefined && record !== undefined) base = await ledger.version(record.config);
        if (base !== undefined && record === undefined) await this.#goLive(ledger, base, undefined, release, caller);
        return { version: base, made: false };
      }
      const made = await ledger
        .add((version) => this.#version(version, keys, baseKeys, cause, caller, options.restores, renumbered), newest?.version ?? 0)
        .catch((error: unknown) => {
          // Only a refusal (or every number taken) says that no version was made: a 5xx or a lost answer may have recorded one.
          if (error instanceof PermissionError) throw unmadeVersionFailure(error, base?.version, cause === 'set');
          if (error instanceof NumbersTakenError || !isCnfError(error)) throw error;
          throw unknownVersionFailure(error, base?.version, cause === 'set', this.sources.stage);
        });
      this.#versions = undefined;
      // Before the first record, web read the newest values, as v1 (initial) names them: they stay live until the switch.
      const before = record ?? (base === undefined ? undefined : { release: release ?? 'none', config: base.version, keys: base.keys });
      await this.#goLive(ledger, made, before, release, caller);
      return { version: made, made: true };
    });
  }

  /**
   * Makes config version `config` live with `release` (a rollback, which
   * holds the stage-wide lock and records its move itself): the live-pair
   * record names it, switching at `from` when it changes the config.
   */
  async makeLive(config: number, release: string): Promise<void> {
    this.#record = undefined;
    const before = await this.record();
    const keys = sortedConfigKeys(await this.keysOf(config));
    const record: LivePairRecord =
      before !== undefined && before.config === config
        ? { ...before, release }
        : {
            release,
            config,
            keys,
            ...(before === undefined
              ? {}
              : {
                  from: new Date(Date.now() + CONFIG_SWITCH_SECONDS * 1000).toISOString(),
                  previous: { config: before.config, keys: before.keys },
                }),
          };
    await writeLivePairRecord(this.sources, record);
    this.#record = Promise.resolve(record);
  }

  /** Writes `record` back as the live-pair record, as it was: what a rollback that failed part-way puts back. */
  async putBackRecord(record: LivePairRecord): Promise<void> {
    await writeLivePairRecord(this.sources, record);
    this.#record = Promise.resolve(record);
  }

  /**
   * Writes the live-pair record for `version` and records the move; a failure
   * of the record says which version is live, one of the move is kept for
   * {@link unrecordedMove}.
   */
  async #goLive(
    ledger: ConfigLedgerStore,
    version: ConfigVersion,
    before: LivePairRecord | undefined,
    release: string | undefined,
    by: string,
  ): Promise<void> {
    const now = Date.now();
    const record: LivePairRecord = {
      release: release ?? before?.release ?? 'none',
      config: version.version,
      keys: sortedConfigKeys(version.keys),
      ...(before === undefined
        ? {}
        : { from: new Date(now + CONFIG_SWITCH_SECONDS * 1000).toISOString(), previous: { config: before.config, keys: before.keys } }),
    };
    try {
      await writeLivePairRecord(this.sources, record);
    } catch (error) {
      // An answer lost on the way back (a reset, a timeout) may have written it: the record read back says which.
      const written = await readLivePairRecord(this.sources).then(
        (read) => ({ read }),
        () => undefined,
      );
      // Unread (the read failed too), it is not known which version is live.
      if (written === undefined) throw notLiveFailure(error, version.version, undefined, this.sources.stage);
      if (written.read?.config !== version.version) {
        // The record names another version: this one never went live, and history says so. Without a record, web reads
        // every parameter's newest value, this version's among them, so it is not marked.
        const marked =
          written.read === undefined
            ? undefined
            : await ledger.markNeverLive(version).then(
                () => ({ marked: true }) as const,
                (markError: unknown) => ({ marked: false, why: (markError as Error).message }) as const,
              );
        throw notLiveFailure(error, version.version, written.read?.config ?? before?.config ?? null, this.sources.stage, marked);
      }
    }
    this.#record = Promise.resolve(record);
    if (release !== undefined) {
      const move: PairMove = { release, config: version.version, at: new Date(now).toISOString(), cause: 'config', by };
      // The version is live: a move the ledger would not record is told, not a failed change (as a rollback tells its own).
      this.#unrecordedMove = await ledger.addMove(move).then(
        () => undefined,
        (error: unknown) => unrecordedMoveNotice(error, version.version, release, this.sources.stage),
      );
    }
  }

  /** What the last change took effect without: its move of the live pair, when the ledger would not record it. */
  unrecordedMove(): string | undefined {
    return this.#unrecordedMove;
  }

  #version(
    version: number,
    keys: Readonly<Record<string, ConfigVersionKey>>,
    base: Readonly<Record<string, ConfigVersionKey>>,
    cause: ConfigVersionCause,
    createdBy: string,
    restores?: number,
    renumbered: readonly string[] = [],
  ): ConfigVersion {
    // By AWS's clock: what SSM's LastModifiedDate of the values it names is compared with.
    const createdAt = new Date(this.sources.now?.() ?? Date.now()).toISOString();
    const made = makeConfigVersion({
      version,
      keys: sortedConfigKeys(keys),
      base,
      cause,
      createdBy,
      createdAt,
      ...(restores === undefined ? {} : { restores }),
    });
    // A key whose selector reads the same but whose value is new (numbering restarted) changed too.
    return renumbered.length === 0 ? made : { ...made, changed: [...new Set([...made.changed, ...renumbered])].sort() };
  }

  #rewrittenMessage(version: number, keys: Readonly<Record<string, ConfigVersionKey>>, rewritten: readonly string[]): string {
    const named = [...rewritten]
      .sort()
      .map((key) => `${key}:${keys[key]?.version}`)
      .join(', ');
    return `config ${configVersionLabel(version)} names ${named}, which SSM wrote again after it was made (the parameter was deleted and set again, and SSM numbered its versions from 1 again): it no longer holds the value the version held`;
  }

  #goneMessage(version: number, gone: readonly string[]): string {
    return `config ${configVersionLabel(version)} needs a version of ${gone.join(', ')} that SSM no longer holds (it keeps the last ${PARAMETER_VERSION_HISTORY} versions of a parameter)`;
  }
}

/* Whether SSM wrote a parameter version well after a config version naming it was made (ms since the epoch each): its number was reused. */
function writtenAfter(written: number | undefined, made: number | undefined): boolean {
  return written !== undefined && made !== undefined && written > made + REWRITTEN_AFTER_SECONDS * 1000;
}

export { AwsConfigVersions, CONFIG_SWITCH_SECONDS };
export type { AwsConfigSources, KeysChange };
