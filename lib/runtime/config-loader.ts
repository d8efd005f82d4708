import { readFile } from 'node:fs/promises';
import { LIVE_PAIR_KEY, liveConfigAt, parseLivePairRecord, type LivePairRecord, type RecordedConfig } from '../core/live-pair-record.js';
import { fingerprintOf } from '../core/parameter-set.js';
import type { configVersionKeys } from './ledger/config-version-keys.js';
import { unquotedJsonError } from '../core/files/unquoted-json-error.js';
import { keptSecrets, valuesOfVersion, type LocalConfigFile } from './local-config-file.js';
import type { SsmParameterProvider, TypedValue } from './ssm-parameter-provider.js';
import { SelectorsGoneError } from './selectors-gone-error.js';
import { CNF_VARIABLES, readCnfEnvironment } from '../core/cnf-environment.js';

/**
 * A stage's parameter set as a run or a request sees it.
 *
 * @example
 * const { values, fingerprint } = await loadConfig();
 * const pool = new Pool({ connectionString: values.DATABASE_URL });
 * log.info('Config', { fingerprint }); // never the values
 */
interface LoadedConfig {
  /** Each config key's value, e.g. `values.DATABASE_URL`. */
  readonly values: Readonly<Record<string, string>>;
  /** The values of secure parameters, to be kept out of logs; on the local stage, those of every kept version. */
  readonly secrets: readonly string[];
  /** The fingerprint of the set (`cfg-` and 12 hex digits); it shows no value (see fingerprintOf). */
  readonly fingerprint: string;
  /** The config version read (`7` for v7), where the stage keeps config versions. */
  readonly version?: number;
}

/**
 * Options of {@link loadConfig}.
 *
 * @example
 * // The web handler: read the parameter set at most every 30 seconds.
 * const config = await loadConfig({ maxAgeSeconds: 30 });
 */
interface LoadConfigOptions {
  /**
   * Serve a copy read at most this many seconds ago. The web handler caches
   * briefly; admin runs always read fresh (0).
   *
   * @default 0
   */
  readonly maxAgeSeconds?: number;
  /**
   * The config version to read (an admin run reads the one its event names,
   * which the CLI took from the release's live pair); else the live one.
   *
   * @default - the live config version
   */
  readonly version?: number;
}

/**
 * The parameter set could not be read.
 *
 * @example
 * try {
 *   config = await loadConfig();
 * } catch (error) {
 *   if (error instanceof ConfigError) return { statusCode: 503, body: 'configuration unavailable' };
 *   throw error;
 * }
 */
class ConfigError extends Error {
  /**
   * Whether what cannot be read is the config version itself: one the stage
   * does not have (or keeps nowhere the loader can read), or one that names
   * values SSM no longer holds. Mended by the config (`config set`, `config
   * rollback`), not by access to it.
   */
  readonly versionUnreadable: boolean;

  constructor(message: string, options?: ErrorOptions & { readonly versionUnreadable?: boolean }) {
    super(message, options);
    this.name = 'ConfigError';
    this.versionUnreadable = options?.versionUnreadable ?? false;
  }
}

/** The format of the local stage's parameter file. */
type ParameterFile = LocalConfigFile;

let ssmProvider: SsmParameterProvider | undefined;

/**
 * Loads the stage's parameter set, the one loader web and admin share.
 *
 * On AWS (`CNF_PARAMETER_PATH`, e.g. `/notes/prod/`) it reads SSM: recursive,
 * decrypted, paginated, cached for `maxAgeSeconds`. On the local stage
 * (`CNF_PARAMETER_FILE`) it reads the parameter file under `.cnf/`.
 *
 * @example
 * const config = await loadConfig({ maxAgeSeconds: 30 });
 * const url = config.values.DATABASE_URL;
 *
 * @throws ConfigError when neither source is configured or the source fails.
 */
async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const { parameterFile: file, parameterPath: path } = readCnfEnvironment();
  if (file !== undefined) {
    const { typed, version, kept } = await readParameterFile(file, options.version);
    return toLoadedConfig(typed, version, kept);
  }
  if (path !== undefined) {
    const { typed, version } = await readLivePair(path, options);
    return toLoadedConfig(typed, version);
  }
  throw new ConfigError(`No parameter set configured: neither ${CNF_VARIABLES.parameterPath} nor ${CNF_VARIABLES.parameterFile} is set.`);
}

/**
 * The local parameter file's live values, or those of config version
 * `version`; and every secure value the file keeps (`kept`, see
 * {@link keptSecrets}), which a run redacts as well.
 */
async function readParameterFile(
  file: string,
  version: number | undefined,
): Promise<{ typed: Record<string, TypedValue>; version: number | undefined; kept: readonly string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { typed: {}, version: undefined, kept: [] };
    throw new ConfigError(`Cannot read the parameter file ${file}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: ParameterFile;
  try {
    parsed = JSON.parse(text) as ParameterFile;
  } catch (error) {
    // The parser's words quote a piece of the file, which holds the secrets: never in the run's error, log or ledger.
    throw new ConfigError(`The parameter file ${file} is ${unquotedJsonError(text, error)}.`);
  }
  if (typeof parsed?.parameters !== 'object' || parsed.parameters === null) {
    throw new ConfigError(`The parameter file ${file} has no "parameters" object.`);
  }
  const kept = keptSecrets(parsed);
  if (version === undefined || version === parsed.live) return { typed: parsed.parameters, version: parsed.live, kept };
  try {
    return { typed: valuesOfVersion(parsed, version), version, kept };
  } catch (error) {
    // The file keeps no such version, or no longer the values it names.
    throw new ConfigError(`Cannot read config v${version}: ${(error as Error).message}`, { cause: error, versionUnreadable: true });
  }
}

async function readParameterPath(path: string, maxAgeSeconds: number): Promise<Record<string, TypedValue>> {
  // The SDK is loaded only on AWS: the local stage never pays for it.
  if (ssmProvider === undefined) {
    const { SsmParameterProvider } = await import('./ssm-parameter-provider.js');
    ssmProvider = new SsmParameterProvider();
  }
  try {
    return (await ssmProvider.getMultiple(path, { maxAge: maxAgeSeconds, forceFetch: maxAgeSeconds <= 0 })) as Record<string, TypedValue>;
  } catch (error) {
    throw new ConfigError(`Cannot read the parameter set ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The AWS parameter set as the live-pair record names it: in the usual case
 * the values the path read returned are the selected versions, and nothing
 * more is read (one round trip); values of older versions (after a rollback
 * or `config rollback`) are read by `name:version` selector. A stage without
 * a live-pair record reads every parameter under the path, as before config versions.
 */
async function readLivePair(
  path: string,
  options: LoadConfigOptions,
): Promise<{ typed: Record<string, TypedValue>; version: number | undefined }> {
  const all = { ...(await readParameterPath(path, options.maxAgeSeconds ?? 0)) };
  const record = parseLivePairRecord(all[LIVE_PAIR_KEY]?.value);
  delete all[LIVE_PAIR_KEY];
  if (record === undefined) return { typed: all, version: undefined };
  const live = options.version === undefined ? liveConfigAt(record, Date.now()) : await recordedConfig(record, options.version);
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const typed: Record<string, TypedValue> = {};
  const older: [string, string][] = [];
  for (const [key, selector] of Object.entries(live.keys)) {
    const current = all[key];
    if (current?.version === selector.version) typed[key] = current;
    else older.push([key, `${prefix}${key}:${selector.version}`]);
  }
  if (older.length > 0) {
    let read: Record<string, TypedValue>;
    try {
      read = await (ssmProvider as SsmParameterProvider).getSelected(older.map(([, selector]) => selector));
    } catch (error) {
      throw new ConfigError(`Cannot read config v${live.config}: ${(error as Error).message}`, {
        cause: error,
        versionUnreadable: error instanceof SelectorsGoneError,
      });
    }
    for (const [key, selector] of older) typed[key] = read[selector] as TypedValue;
  }
  return { typed, version: live.config };
}

/**
 * Config version `version` by its selectors: inline in the live-pair record
 * for the live and the previous one, else as the CLI recorded it in the run
 * ledger table (an admin run of an older release, with its pinned config).
 *
 * @throws ConfigError when the stage holds no such version.
 */
async function recordedConfig(record: LivePairRecord, version: number): Promise<RecordedConfig> {
  if (record.config === version) return { config: record.config, keys: record.keys };
  if (record.previous?.config === version) return record.previous;
  const table = readCnfEnvironment().ledgerTable;
  if (table === undefined || table === '')
    throw new ConfigError(`Cannot read config v${version}: no run ledger table (${CNF_VARIABLES.ledgerTable}) holds it.`, {
      versionUnreadable: true,
    });
  let keys: Awaited<ReturnType<typeof configVersionKeys>>;
  try {
    // The DynamoDB client loads only for a run of an older config version.
    const { configVersionKeys } = await import('./ledger/config-version-keys.js');
    keys = await configVersionKeys(table, version);
  } catch (error) {
    throw new ConfigError(`Cannot read config v${version}: ${(error as Error).message}`, { cause: error });
  }
  if (keys === undefined)
    throw new ConfigError(`Cannot read config v${version}: the stage has no such config version.`, { versionUnreadable: true });
  return { config: version, keys };
}

/** The config a run reads; `kept`: secure values of other versions too, redacted as its own. */
function toLoadedConfig(typed: Record<string, TypedValue>, version: number | undefined, kept: readonly string[] = []): LoadedConfig {
  const entries = Object.entries(typed);
  const secure = entries.filter(([, parameter]) => parameter.secure).map(([, { value }]) => value);
  return {
    ...(version === undefined ? {} : { version }),
    values: Object.freeze(Object.fromEntries(entries.map(([key, { value }]) => [key, value]))),
    secrets: [...new Set([...secure, ...kept])],
    fingerprint: fingerprintOf(entries.map(([key, { value }]) => ({ key, value }))),
  };
}

export { ConfigError, loadConfig };
export type { LoadConfigOptions, LoadedConfig, ParameterFile };
