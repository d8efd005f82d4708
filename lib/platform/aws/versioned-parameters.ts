import { configVersionLabel, type ConfigVersionKey } from '../../core/config-version.js';
import { isCnfError, toldMore } from '../../core/errors.js';
import { assertValidConfigKey, MASK, type ParameterEntry } from '../../core/parameter-set.js';
import type { ParameterStore } from '../../core/platform.js';
import type { AwsConfigVersions } from './aws-config-versions.js';
import type { SsmParameterStore } from './ssm-parameters.js';
import { readSelected, type SsmScope } from './ssm-versions.js';

/**
 * An AWS stage's parameter set as its live config version holds it. Where
 * the stage keeps config versions (it has a run ledger table), `set` puts a
 * new SSM parameter version and makes a new config version naming it, and
 * `unset` makes one without the key and keeps the parameter (deleting it
 * would delete every version, so no older config version could be
 * restored); `list` and `get` read the live version's selectors, and name
 * a key whose selected version SSM no longer keeps as gone. A stage without a
 * ledger keeps the plain parameter set, as before config versions.
 */
class VersionedSsmParameters implements ParameterStore {
  #renumbered: string | undefined;

  constructor(
    private readonly plain: SsmParameterStore,
    private readonly versions: AwsConfigVersions,
    private readonly scope: SsmScope,
    /** Whether the stage keeps config versions. */
    private readonly versioned: () => Promise<boolean>,
  ) {}

  async list(): Promise<ParameterEntry[]> {
    const record = (await this.versioned()) ? await this.versions.record() : undefined;
    if (record === undefined) return this.plain.list();
    return this.#read(record.keys, record.config);
  }

  async get(key: string): Promise<ParameterEntry | undefined> {
    assertValidConfigKey(key);
    const record = (await this.versioned()) ? await this.versions.record() : undefined;
    if (record === undefined) return this.plain.get(key);
    const selector = record.keys[key];
    if (selector === undefined) return undefined;
    return (await this.#read({ [key]: selector }, record.config))[0];
  }

  async set(key: string, value: string, options: { readonly secure: boolean }): Promise<void> {
    assertValidConfigKey(key);
    if (!(await this.versioned())) return this.plain.set(key, value, options);
    this.#renumbered = undefined;
    let renumbered: { readonly version: number; readonly upTo: number } | undefined;
    await this.versions.change(
      'set',
      async (base) => {
        const before = base[key];
        // A plain value set to what it is makes no version (a secure one is never read back to compare).
        if (!options.secure && before?.secure === false && (await readSelected(this.scope, { [key]: before })).values[0]?.value === value)
          return undefined;
        const version = await this.plain.put(key, value, options).catch((error: unknown) => {
          // The change stops before the ledger records anything: the live pair does not move.
          throw isCnfError(error)
            ? toldMore(error, 'No config version was made: the live config is as it was.', { cause: error.cause })
            : error;
        });
        if (version === undefined) throw new Error(`SSM answered PutParameter on ${key} without a version`);
        // A number not above the one the base names: the parameter was deleted, and SSM numbers its versions from 1 again.
        if (before !== undefined && version <= before.version) renumbered = { version, upTo: before.version };
        return { ...base, [key]: { version, secure: options.secure } };
      },
      { renumbered: () => (renumbered === undefined ? [] : [key]) },
    );
    if (renumbered !== undefined) this.#renumbered = await this.#renumberedNotice(key, renumbered.version, renumbered.upTo);
  }

  /**
   * What the last `set` found, in words: SSM had restarted the key's version
   * numbering (its parameter was deleted by hand), so older config versions
   * that name its versions by number no longer read the values they held.
   * The set made its version all the same. Undefined when it did not.
   */
  renumbered(): string | undefined {
    return this.#renumbered;
  }

  async #renumberedNotice(key: string, version: number, upTo: number): Promise<string> {
    const live = await this.versions.live().catch(() => undefined);
    // The versions made before this one that name the key by a number SSM now reuses (or will, as it is set again).
    const naming = await this.versions.versions().then(
      (versions) =>
        versions
          .filter((made) => made.version !== live && (made.keys[key]?.version ?? Infinity) <= upTo)
          .map((made) => configVersionLabel(made.version)),
      () => undefined,
    );
    const which = naming === undefined || naming.length === 0 ? '' : ` (${naming.join(', ')})`;
    return (
      `SSM restarted ${key}'s version numbering after its parameter was deleted: the new value is its version ${version}, ` +
      `so config versions made before that name its versions up to ${upTo}${which} now read the new value, or a later one, not the value they held; ` +
      `config history marks them not restorable (those made over a minute before SSM wrote the value), and config diff and config rollback refuse them.`
    );
  }

  async unset(key: string): Promise<boolean> {
    assertValidConfigKey(key);
    if (!(await this.versioned())) return this.plain.unset(key);
    let existed = false;
    await this.versions.change('unset', async (base) => {
      existed = Object.hasOwn(base, key);
      if (!existed) return undefined;
      return Object.fromEntries(Object.entries(base).filter(([name]) => name !== key));
    });
    return existed;
  }

  /** The values the selectors of config version `config` name, secure ones masked, and the keys whose value is gone, in key order. */
  async #read(keys: Readonly<Record<string, ConfigVersionKey>>, config: number): Promise<ParameterEntry[]> {
    const { values, gone } = await readSelected(this.scope, keys);
    const entries: ParameterEntry[] = [
      ...values.map(({ key, secure, value }) => ({ key, secure, value: secure ? MASK : (value ?? '') })),
      ...gone.map((key) => {
        const { version, secure } = keys[key] as ConfigVersionKey;
        return { key, secure, gone: { version, config } };
      }),
    ];
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

export { VersionedSsmParameters };
