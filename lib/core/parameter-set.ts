import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';

/** One parameter of a stage's parameter set. */
interface Parameter {
  /** The config key: the parameter's path below `/<app>/<stage>/`, e.g. `DATABASE_URL`. */
  readonly key: string;
  readonly value: string;
  /** Whether the value is a secret (an SSM SecureString); secrets are never printed. */
  readonly secure: boolean;
}

/**
 * A key of the live config version whose value is no longer kept: the version
 * names a parameter version that SSM dropped (it keeps the last 100 versions
 * of a parameter) or that went with its parameter (deleted by hand). The key,
 * its type and the versions are known; there is no value to show.
 */
interface GoneParameter {
  /** The config key. */
  readonly key: string;
  /** Whether the key's value was a secret (an SSM SecureString). */
  readonly secure: boolean;
  /** What names the value that is gone. */
  readonly gone: {
    /** The parameter version the config version names. */
    readonly version: number;
    /** The config version (the live one) that names it. */
    readonly config: number;
  };
}

/** A key of a stage's parameter set as `config list` and `get` read it: its value, or that its value is gone. */
type ParameterEntry = Parameter | GoneParameter;

/**
 * Whether the entry's value is gone (see {@link GoneParameter}).
 *
 * @example
 * const shown = isGone(entry) ? '(gone from SSM)' : printableValue(entry);
 */
function isGone(entry: ParameterEntry): entry is GoneParameter {
  return 'gone' in entry;
}

/** The prefix below `/<app>/<stage>/` that cnf-admin keeps for itself. */
const RESERVED_KEY_PREFIX = '_cnf/';

const KEY_PATTERN = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/*
 * The longest config key: with `/<app>/<stage>/` before it, well within
 * SSM's limit on a parameter's name (1011 characters, its ARN included).
 */
const LONGEST_KEY = 512;

/**
 * Checks a config key: segments of letters, digits, `_`, `.` and `-`
 * separated by `/`, outside the reserved `_cnf/` prefix.
 *
 * @throws UsageError naming the key.
 */
function assertValidConfigKey(key: string): void {
  const equals = key.indexOf('=');
  if (equals > 0 && KEY_PATTERN.test(key.slice(0, equals))) {
    // `KEY=value`, as Heroku and Fly take it: the value may be a secret, so it is not repeated.
    const name = key.slice(0, equals);
    throw new UsageError(`Config key ${JSON.stringify(name)} is followed by "=…": the key and the value are two words here.`, {
      hint: `cnf-admin config set ${name} <value> (add --secure for a secret, and leave the value out to be asked for it)`,
    });
  }
  if (key.length > LONGEST_KEY) {
    // Not repeated: a text this long is more likely a pasted value than a key.
    throw new UsageError(`Config key is ${key.length} characters long; a key is at most ${LONGEST_KEY}.`);
  }
  if (!KEY_PATTERN.test(key)) {
    throw new UsageError(`Config key must be segments of letters, digits, '_', '.' or '-' separated by '/', got: ${JSON.stringify(key)}`, {
      hint: 'For example: DATABASE_URL, or payments/API_KEY',
    });
  }
  if (key.split('/').includes('__proto__')) {
    // `config.__proto__` in a task would be the object's prototype, never the parameter.
    throw new UsageError(`Config key ${JSON.stringify(key)} cannot be read as config.${key} in a task: __proto__ is JavaScript's own.`);
  }
  if (key === '_cnf' || key.startsWith(RESERVED_KEY_PREFIX)) {
    throw new UsageError(
      `Config key ${JSON.stringify(key)} is under the reserved ${RESERVED_KEY_PREFIX} prefix, which cnf-admin keeps for itself.`,
    );
  }
}

/**
 * The fingerprint of a parameter set: `cfg-` and 12 hex digits of a SHA-256
 * over its keys and values in key order.
 *
 * Two runs with the same fingerprint saw the same config. It shows no
 * value, but secure values are hashed with the rest, unsalted: a guess of a
 * short or common one can be checked against it (docs/secrets.md).
 */
function fingerprintOf(parameters: Iterable<Pick<Parameter, 'key' | 'value'>>): string {
  const sorted = [...parameters].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hash = createHash('sha256');
  for (const { key, value } of sorted) hash.update(`${key}\0${value}\n`);
  return `cfg-${hash.digest('hex').slice(0, 12)}`;
}

/** How a secret value is shown: never the value, only that it is set. */
const MASK = '********';

/**
 * The value of a parameter as it may be printed: secrets become {@link MASK}.
 */
function printableValue(parameter: Parameter): string {
  return parameter.secure ? MASK : parameter.value;
}

export { assertValidConfigKey, fingerprintOf, isGone, MASK, printableValue, RESERVED_KEY_PREFIX };
export type { GoneParameter, Parameter, ParameterEntry };
