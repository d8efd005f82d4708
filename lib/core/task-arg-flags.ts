import { closestNames } from './did-you-mean.js';
import { UsageError, type CnfErrorOptions } from './errors.js';
import { isSecretLookingKey } from './secret-looking-key.js';
import type { JsonSchema, TaskInfo } from './task-catalog.js';

type Args = Record<string, unknown>;

/** A property's schema, as far as turning a flag's text into a value needs it. */
interface PropertySchema {
  readonly type?: string | readonly string[];
  readonly anyOf?: readonly PropertySchema[];
  readonly items?: PropertySchema;
  /** The values an enum takes (`z.enum([...])`). */
  readonly enum?: readonly unknown[];
  /** The value the schema gives an absent arg (`.default(...)`). */
  readonly default?: unknown;
}

/**
 * A task's refusal of a flag it does not take (`--json` after `--`), thrown
 * by {@link parseArgFlags}: it names the flag, so that what tells the user
 * more about it (that `--json` is `invoke`'s own) reads the flag, not the
 * message.
 */
class UnknownArgError extends UsageError {
  /** The flag as given, without its value: `--json`. */
  readonly flag: string;

  constructor(flag: string, message: string, options?: CnfErrorOptions) {
    super(message, options);
    this.flag = flag;
  }
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function typeOf(schema: PropertySchema | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  return schema.anyOf?.map(typeOf).find((type) => type !== undefined && type !== 'null');
}

/* Decimal only: Number() would also read "0x10", "1e3", " 16" and "" (0), which nobody means as a count. */
const DECIMAL_INTEGER = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Which values a refusal of the args may quote (`--count takes an integer
 * …, got: "two"`): `all` but a sensitive arg's, where what reads the refusal
 * masks the stage's secure values after (the admin function, the local
 * CLI); `none` where nothing can (the CLI's own check on an AWS stage,
 * which never decrypts a secure value to tell one typed in the wrong place).
 */
type ArgQuoting = 'all' | 'none';

/*
 * Why a refusal does not quote an arg's value, or undefined where it may: a
 * sensitive arg's (the task's `sensitiveArgs`, a secret-looking name) never,
 * any with `none`.
 */
function notShown(task: TaskInfo | undefined, key: string, quoting: ArgQuoting): string | undefined {
  if (isSensitiveArg(task, key)) return '(not shown: a sensitive arg)';
  return quoting === 'none' ? '(not shown: it may be a secure value, which the CLI does not read on this stage)' : undefined;
}

/* What a refusal of a flag's value says of it: the value, or why it is not shown. */
function quoted(text: string, hidden: string | undefined): string {
  return hidden ?? JSON.stringify(text);
}

/** Whether `key` is an arg the ledger keeps no value of: one of the task's `sensitiveArgs`, or one under a secret-looking name. */
function isSensitiveArg(task: TaskInfo | undefined, key: string): boolean {
  return task?.sensitiveArgs?.includes(key) === true || isSecretLookingKey(key);
}

function convert(flag: string, text: string, schema: PropertySchema | undefined, hidden: string | undefined): unknown {
  const type = typeOf(schema);
  if (type === 'integer') {
    const value = Number(text);
    if (!DECIMAL_INTEGER.test(text) || !Number.isSafeInteger(value)) {
      throw new UsageError(`--${flag} takes an integer in decimal digits, got: ${quoted(text, hidden)}`);
    }
    return value;
  }
  if (type === 'number') {
    const value = Number(text);
    if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(value)) {
      throw new UsageError(`--${flag} takes a decimal number, got: ${quoted(text, hidden)}`);
    }
    return value;
  }
  if (type === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new UsageError(`--${flag} is true or false, got: ${quoted(text, hidden)}`);
  }
  if (type === 'object' || type === 'array') {
    try {
      return JSON.parse(text);
    } catch (error) {
      // JSON.parse's message quotes a piece of the text.
      if (hidden !== undefined) throw new UsageError(`--${flag} takes JSON (${type}), got: ${hidden}`);
      throw new UsageError(`--${flag} takes JSON (${type}), got: ${text}`, { cause: error });
    }
  }
  return text;
}

/**
 * The flag that writes an args key: `olderThanDays` is `--older-than-days`.
 *
 * @example
 * flagOf('olderThanDays'); // '--older-than-days'
 */
function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** One task arg as a flag, for help texts: `--older-than-days <integer>`, whether it is required, and its default. */
interface FlagUsage {
  readonly usage: string;
  readonly required: boolean;
  /** The default, as JSON (`10`, `"fast"`), when the schema has one. */
  readonly default?: string;
}

/**
 * The flags a task takes, from its args' JSON Schema, in declaration order.
 *
 * @example
 * flagUsages(purge); // [{ usage: '--older-than-days <integer>', required: true }, { usage: '--dry-run', required: false }]
 */
function flagUsages(task: TaskInfo): FlagUsage[] {
  const schema = task.args as { properties?: Record<string, PropertySchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    usage: usageOf(name, property),
    required: schema.required?.includes(name) === true,
    ...(property.default === undefined ? {} : { default: JSON.stringify(property.default) }),
  }));
}

/**
 * How a task's args key is written as a flag, with its value's type, for
 * messages: `--older-than-days <integer>`; just the flag when the task's
 * schema does not know the key.
 */
function flagUsageOf(task: TaskInfo, key: string): string {
  const properties = (task.args as { properties?: Record<string, PropertySchema> }).properties ?? {};
  const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
  return property === undefined ? flagOf(key) : usageOf(key, property);
}

function usageOf(key: string, property: PropertySchema): string {
  const flag = flagOf(key);
  const choices = property.enum ?? property.anyOf?.find((option) => option.enum !== undefined)?.enum;
  if (choices !== undefined && choices.length > 0) return `${flag} <${choices.map((choice) => String(choice)).join('|')}>`;
  const type = typeOf(property);
  if (type === 'array') return `${flag} <${typeOf(property.items) ?? 'value'}>...`;
  return type === 'boolean' ? flag : `${flag} <${type ?? 'value'}>`;
}

/**
 * Reads task args written as flags after `--`, so that no JSON needs
 * shell-quoting: `-- --older-than-days 30 --dry-run` becomes
 * `{ olderThanDays: 30, dryRun: true }`. The task's JSON Schema says which
 * flags exist and how to read each value. The admin handler does this with
 * the task it is about to run (the CLI sends the flags as `argv`), so no
 * client needs the task catalog first.
 *
 * A scalar flag is given once: `--count 1 --count 2` and `--dry-run
 * --no-dry-run` are refused, since on a destructive task a "last one wins"
 * rule would quietly pick for the user. An array flag repeats:
 * `--tag a --tag b`.
 *
 * @param quoting - which values a refusal may quote (see {@link ArgQuoting})
 * @throws UnknownArgError naming a flag the task does not take; UsageError naming one given twice, or whose value does not fit.
 */
function parseArgFlags(tokens: readonly string[], task: TaskInfo | undefined, quoting: ArgQuoting = 'all'): Args {
  const schema = task?.args as (JsonSchema & { properties?: Record<string, PropertySchema>; additionalProperties?: unknown }) | undefined;
  // Without a prototype: a flag the user typed (--constructor, --to-string) finds only the task's own args.
  const properties: Record<string, PropertySchema> = Object.assign(Object.create(null) as object, schema?.properties);
  const strict = schema?.additionalProperties === false;
  const args: Args = {};
  const givenAs = new Map<string, string>();
  // A boolean flag given just before, alone: `--verbose true` means it had a value to give.
  let bareBoolean: string | undefined;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as string;
    const match = /^--([A-Za-z0-9][\w-]*)(?:=(.*))?$/s.exec(token);
    if (match === null && bareBoolean !== undefined) {
      throw new UsageError(`--${bareBoolean} takes no value, got: ${JSON.stringify(token)} after it.`, {
        hint: `A yes-or-no arg is the flag alone: --${bareBoolean}, --no-${bareBoolean}, or --${bareBoolean}=false`,
      });
    }
    bareBoolean = undefined;
    if (match === null) {
      // `days=7` or `-days 7`: one of the task's flags written without its two dashes.
      const bare = /^-?([A-Za-z0-9][\w-]*)(=.*)?$/s.exec(token);
      const meant =
        bare !== null && (properties[bare[1] as string] ?? properties[camelCase(bare[1] as string)]) !== undefined
          ? ` Did you mean --${bare[1]}${bare[2] ?? ''}?`
          : '';
      throw new UsageError(`Task args are flags, got: ${JSON.stringify(token)}.${meant}`, {
        hint: `Write them after --, e.g. cnf-admin invoke ${task?.name ?? '<task>'} -- ${exampleFlags(task)}`,
      });
    }
    const flag = match[1] as string;
    const negated = flag.startsWith('no-') && typeOf(properties[camelCase(flag.slice(3))]) === 'boolean';
    const key = properties[flag] !== undefined ? flag : camelCase(negated ? flag.slice(3) : flag);
    const property = properties[key];
    if (property === undefined && strict) {
      const usages = task === undefined ? [] : flagUsages(task).map((flagUsage) => flagUsage.usage);
      const known = usages.length === 0 ? 'it takes no args' : `its args: ${usages.join(', ')}`;
      // A list arg's usage ends in `...`: the sentence ends there, with no fourth dot.
      const close = closestNames(`--${flag}`, Object.keys(properties).map(flagOf));
      const guess = close.length === 0 ? '' : ` Did you mean ${close.join(' or ')}?`;
      throw new UnknownArgError(
        `--${flag}`,
        `Unknown arg --${flag} for task ${task?.name}; ${known}${known.endsWith('...') ? '' : '.'}${guess}`,
      );
    }
    // A repeated flag fills an array: --tag a --tag b.
    const isArray = typeOf(property) === 'array';
    const earlier = givenAs.get(key);
    if (earlier !== undefined && !isArray) {
      const written = `--${flag}`;
      throw new UsageError(
        earlier === written
          ? `${written} is given more than once; give it once.`
          : `${earlier} and ${written} contradict each other; give one of them.`,
      );
    }
    givenAs.set(key, `--${flag}`);
    const valueSchema = isArray ? property?.items : property;
    let value: unknown;
    if (negated) value = false;
    else if (match[2] !== undefined) value = convert(flag, match[2], valueSchema, notShown(task, key, quoting));
    else if (typeOf(valueSchema) === 'boolean') {
      value = true;
      bareBoolean = flag;
    } else {
      const next = tokens[index + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${flag} needs a value.`);
      index += 1;
      value = convert(flag, next, valueSchema, notShown(task, key, quoting));
    }
    args[key] = isArray ? [...((args[key] as unknown[] | undefined) ?? []), value] : value;
  }
  return args;
}

/** The task's own flags as an example (`--days <integer> --dry-run`), or a generic one for a task that is not known. */
function exampleFlags(task: TaskInfo | undefined): string {
  const usages = task === undefined ? [] : flagUsages(task).map((flagUsage) => flagUsage.usage);
  return usages.length === 0 ? '--<arg> <value>' : usages.join(' ');
}

/**
 * Lays args read from flags over args given as JSON (`--args`), refusing a
 * key given both ways: which one should win is the user's to say.
 *
 * @param task - the task, whose sensitive args the refusal does not quote
 * @param quoting - which values the refusal may quote (see {@link ArgQuoting})
 * @throws UsageError naming the flag given both ways.
 */
function mergeArgs(json: Readonly<Args>, flags: Readonly<Args>, task?: TaskInfo, quoting: ArgQuoting = 'all'): Args {
  const both = Object.keys(flags).filter((key) => Object.hasOwn(json, key));
  if (both.length > 0) {
    const first = both[0] as string;
    const value = notShown(task, first, quoting) ?? JSON.stringify(json[first]);
    throw new UsageError(`${flagOf(first)} is given twice: in the JSON args (${first}: ${value}) and as a flag; give it once.`);
  }
  return { ...json, ...flags };
}

export { flagOf, flagUsageOf, flagUsages, mergeArgs, parseArgFlags, UnknownArgError };
export type { ArgQuoting };
export type { FlagUsage };
