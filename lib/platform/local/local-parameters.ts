import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { assertValidConfigKey, type Parameter } from '../../core/parameter-set.js';
import type { ParameterStore } from '../../core/platform.js';
import type { ParameterFile } from '../../runtime/config-loader.js';
import { writeFileAtomic } from '../../runtime/ledger/atomic-file.js';
import { ownEntries, readStateFile, stateFault } from './local-state.js';
import { withStateLock } from './state-lock.js';

/** `parameters.json`: `{"parameters": {"KEY": {"value": "...", "secure": false}}}`. */
const parameterFileSchema = z.looseObject({
  parameters: z.record(z.string(), z.looseObject({ value: z.string(), secure: z.boolean() })),
});

type Parameters = ParameterFile['parameters'];

/* The file holds the stage's secrets: readable and writable by its owner only, as ssh keeps its keys. */
const OWNER_ONLY = 0o600;

/**
 * The local stage's parameter set: one JSON file under `.cnf/local/`, the
 * same file the runtime's config loader reads for local runs. It holds the
 * secure values, so it is mode 0600, whoever wrote it.
 */
class LocalParameterStore implements ParameterStore {
  constructor(private readonly file: string) {}

  async list(): Promise<Parameter[]> {
    const parameters = await this.#read();
    return Object.keys(parameters)
      .sort()
      .map((key) => ({ key, ...(parameters[key] as { value: string; secure: boolean }) }));
  }

  /** The secure values, for the redaction of what a local run prints. */
  async secrets(): Promise<string[]> {
    return (await this.list()).filter((parameter) => parameter.secure).map((parameter) => parameter.value);
  }

  async get(key: string): Promise<Parameter | undefined> {
    assertValidConfigKey(key);
    const parameters = await this.#read();
    return Object.hasOwn(parameters, key) ? { key, ...(parameters[key] as Parameters[string]) } : undefined;
  }

  async set(key: string, value: string, options: { readonly secure: boolean }): Promise<void> {
    assertValidConfigKey(key);
    await this.#change(async (parameters) => ({ ...parameters, [key]: { value, secure: options.secure } }));
  }

  async unset(key: string): Promise<boolean> {
    assertValidConfigKey(key);
    let existed = false;
    await this.#change(async (parameters) => {
      existed = Object.hasOwn(parameters, key);
      return Object.fromEntries(Object.entries(parameters).filter(([name]) => name !== key));
    });
    return existed;
  }

  /** Creates the parameter file with `parameters`. */
  async initialize(parameters: Parameters): Promise<void> {
    await this.#write(parameters);
  }

  /** Whether the parameter file exists yet. */
  async exists(): Promise<boolean> {
    return (await readStateFile(this.file, parameterFileSchema)) !== undefined;
  }

  /**
   * The parameters by key, in an object without a prototype: a key the user
   * typed finds only parameters. A file that others may read (written by an
   * older version, or copied) is made its owner's only first.
   */
  async #read(): Promise<Parameters> {
    await this.#restrict();
    return ownEntries((await readStateFile(this.file, parameterFileSchema))?.parameters ?? {}) as Parameters;
  }

  async #write(parameters: Parameters): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify({ parameters }, null, 2)}\n`, OWNER_ONLY);
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
      await chmod(this.file, OWNER_ONLY);
    } catch (error) {
      throw stateFault(error, this.file);
    }
  }

  /** Reads, changes and writes the set under the stage's state lock: concurrent changes never lose one another. */
  async #change(change: (parameters: Parameters) => Promise<Parameters>): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await withStateLock(dirname(this.file), async () => this.#write(await change(await this.#read())));
    } catch (error) {
      throw stateFault(error, this.file);
    }
  }
}

export { LocalParameterStore };
