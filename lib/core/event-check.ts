import * as z from 'zod';
import { argsLimitProblem } from './args-limits.js';
import { checkArgs, InvalidArgsError, invalidArgsMessage } from './check-args.js';
import { UsageError } from './errors.js';
import { taskInCatalog } from './task-lookup.js';
import { flagUsageOf, mergeArgs, parseArgFlags, type ArgQuoting } from './task-arg-flags.js';
import { isAdminFunctionTask, type TaskCatalog, type TaskInfo } from './task-catalog.js';

/** An admin event as far as checking it against a catalog goes. */
interface CheckedEvent {
  readonly task: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly argv?: readonly string[];
  readonly source?: string;
}

/**
 * Checks an event against the planned release's catalog as the admin
 * function would before it runs anything: the task (or script) exists, its
 * flags read, its args fit the schema. Resolves to the args as a run records
 * them (parsed, defaults applied, before redaction), which a run id's args
 * hash covers.
 *
 * A reserved task the admin function answers (`cnf:ping`, …) is its own to
 * check; any other `cnf:` name is an unknown task, as the admin function says.
 *
 * @param quoting - which arg values a refusal may quote (see {@link ArgQuoting})
 * @throws UsageError (64) with the message the admin function refuses the event with.
 */
function checkEventAgainstCatalog(
  catalog: TaskCatalog,
  release: string,
  event: CheckedEvent,
  quoting: ArgQuoting = 'all',
): Readonly<Record<string, unknown>> {
  if (isAdminFunctionTask(event.task)) return event.args;
  const task = taskInCatalog(catalog, release, event.task);
  return checkedArgs(event, schemaOf(task), () => task, quoting).recorded;
}

/** An event's args as {@link checkedArgs} reads them. */
interface CheckedArgs {
  /** The JSON args with the flags laid over them, before the schema parsed them. */
  readonly given: Readonly<Record<string, unknown>>;
  /** What the schema made of them (`given` without a schema): what the task runs with. */
  readonly checked: unknown;
  /** As a run records them (see {@link recordedArgs}). */
  readonly recorded: Readonly<Record<string, unknown>>;
}

/**
 * An event's args as the admin function reads them, and the CLI's check
 * before a dry or detached run: its flags (`argv`) read with the task's JSON
 * Schema and laid over its JSON args, bounded in size as the event's args
 * are, then parsed by `schema`, a refusal speaking in flags of what came as
 * flags, and of what is missing where the user writes flags (the CLI
 * without `--args`).
 *
 * @param schema - the task's args schema; without one (JSON Schema could not say it), the args as given
 * @param info - the task as its catalog describes it, asked only where flags are read or named (building it costs)
 * @param quoting - which arg values a refusal may quote (see {@link ArgQuoting})
 * @throws InvalidArgsError (64) for args that fail the schema, UsageError (64) for flags that do not read, in the words the admin function refuses the event with.
 */
function checkedArgs(event: CheckedEvent, schema: z.ZodType | undefined, info: () => TaskInfo, quoting: ArgQuoting = 'all'): CheckedArgs {
  const argv = event.argv ?? [];
  let given: Readonly<Record<string, unknown>> = event.args;
  let fromFlags: string[] = [];
  if (argv.length > 0) {
    const flags = parseArgFlags(argv, info(), quoting);
    fromFlags = Object.keys(flags);
    given = mergeArgs(event.args, flags, info(), quoting);
    // JSON values of flags (--filter '{...}') are bounded as the event's args are.
    const tooBig = argsLimitProblem('The task args', given);
    if (tooBig !== undefined) throw new UsageError(tooBig);
  }
  if (schema === undefined) return { given, checked: given, recorded: given };
  const flagsWritten = argv.length > 0 || (event.source === 'cli' && Object.keys(event.args).length === 0);
  const checked = checkArgs(schema, given, (key) =>
    fromFlags.includes(key) || (flagsWritten && !Object.hasOwn(event.args, key)) ? flagUsageOf(info(), key) : undefined,
  );
  if (!checked.ok) throw new InvalidArgsError(invalidArgsMessage(event.task, checked.message), checked.fields);
  return { given, checked: checked.args, recorded: recordedArgs(checked.args, given) };
}

/**
 * The args as a run records them: as the schema parsed them (defaults
 * applied), as JSON; as given when the schema made something else of them
 * than a plain object, or something JSON cannot hold.
 */
function recordedArgs(parsed: unknown, given: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return given;
  try {
    return JSON.parse(JSON.stringify(parsed)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TypeError) return given; // a BigInt, or a cycle: not JSON
    throw error;
  }
}

/** The task's args schema from its JSON Schema; undefined where JSON Schema cannot say it all (the function then checks). */
function schemaOf(task: TaskInfo): z.ZodType | undefined {
  try {
    return z.fromJSONSchema(task.args as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    if (error instanceof Error) return undefined;
    throw error;
  }
}

export { checkedArgs, checkEventAgainstCatalog };
export type { CheckedArgs, CheckedEvent };
