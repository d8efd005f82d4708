import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assertValidConfigKey, type Parameter } from '../../core/parameter-set.js';
import type { ParameterStore } from '../../core/platform.js';
import type { ParameterFile } from '../../runtime/config-loader.js';
import { writeFileAtomic } from '../../runtime/ledger/atomic-file.js';
import { isRecord, readStateFile } from './local-state.js';
import { withStateLock } from './state-lock.js';

function checkParameterFile(value: unknown): string | undefined {
  if (!isRecord(value) || !isRecord(value.parameters)) return 'expected {"parameters": {...}}';
  for (const [key, parameter] of Object.entries(value.parameters)) {
    if (!isRecord(parameter) || typeof parameter.value !== 'string' || typeof parameter.secure !== 'boolean') {
      return `parameter ${JSON.stringify(key)} must be {"value": "...", "secure": true|false}`;
    }
  }
  return undefined;
}

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
    const parameter = (await this.#read())[key];
    return parameter === undefined ? undefined : { key, ...parameter };
  }

  async set(key: string, value: string, options: { readonly secure: boolean }): Promise<void> {
    assertValidConfigKey(key);
    await this.#change(async (parameters) => ({ ...parameters, [key]: { value, secure: options.secure } }));
  }

  async unset(key: string): Promise<boolean> {
    assertValidConfigKey(key);
    let existed = false;
    await this.#change(async ({ [key]: removed, ...rest }) => {
      existed = removed !== undefined;
      return rest;
    });
    return existed;
  }

  /** Creates the parameter file with `parameters`. */
  async initialize(parameters: ParameterFile['parameters']): Promise<void> {
    await this.#write(parameters);
  }

  /** Whether the parameter file exists yet. */
  async exists(): Promise<boolean> {
    return (await readStateFile<ParameterFile>(this.file, checkParameterFile)) !== undefined;
  }

  async #read(): Promise<ParameterFile['parameters']> {
    return (await readStateFile<ParameterFile>(this.file, checkParameterFile))?.parameters ?? {};
  }

  async #write(parameters: ParameterFile['parameters']): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify({ parameters }, null, 2)}\n`);
  }

  /** Reads, changes and writes the set under the stage's state lock: concurrent changes never lose one another. */
  async #change(change: (parameters: ParameterFile['parameters']) => Promise<ParameterFile['parameters']>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await withStateLock(dirname(this.file), async () => this.#write(await change(await this.#read())));
  }
}

export { LocalParameterStore };
