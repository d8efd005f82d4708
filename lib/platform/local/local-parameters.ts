import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
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

/**
 * The local stage's parameter set: one JSON file under `.cnf/local/`, the
 * same file the runtime's config loader reads for local runs.
 */
class LocalParameterStore implements ParameterStore {
  constructor(private readonly file: string) {}

  async list(): Promise<Parameter[]> {
    const parameters = await this.#read();
    return Object.keys(parameters)
      .sort()
      .map((key) => ({ key, ...(parameters[key] as { value: string; secure: boolean }) }));
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

  /** The parameters by key, in an object without a prototype: a key the user typed finds only parameters. */
  async #read(): Promise<Parameters> {
    return ownEntries((await readStateFile(this.file, parameterFileSchema))?.parameters ?? {}) as Parameters;
  }

  async #write(parameters: Parameters): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, `${JSON.stringify({ parameters }, null, 2)}\n`);
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
