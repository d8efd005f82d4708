import { fstatSync } from 'node:fs';
import { configVersionLabel } from '../../core/config-version.js';
import { didYouMean } from '../../core/did-you-mean.js';
import { UnavailableError, UsageError } from '../../core/errors.js';
import { assertValidConfigKey, isGone, MASK, printableValue, type GoneParameter, type ParameterEntry } from '../../core/parameter-set.js';
import type { Platform } from '../../core/platform.js';
import type { Stage } from '../../core/stage.js';
import { SecretRedactor, secretValueProblem } from '../../runtime/redact-secrets.js';
import { askAtTerminal } from '../terminal-question.js';
import { readHiddenLine } from '../hidden-input.js';
import { maskTypedSecrets, typedSecretsOf } from '../secret-mask.js';
import { asInvoked } from '../invocation.js';
import { goneValuesProblem } from '../gone-values.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { writeNotice } from '../render/run-view.js';
import { formatTable, terminalWidth } from '../render/table.js';
import { unrecordedMoveField, writeUnrecordedMove } from '../unrecorded-move.js';
import { openStage } from '../stage-context.js';
import type { CommandOptions } from '../command-options.js';
import { beforeChange, CHANGE_FINISHES_FIRST, unstoppable } from '../interrupts.js';

/** A parameter as `--json` shows it: secrets masked; a gone value as what named it, without a value. */
function printable(parameter: ParameterEntry): { key: string; value: string; secure: boolean } | GoneParameter {
  if (isGone(parameter)) return { key: parameter.key, secure: parameter.secure, gone: parameter.gone };
  return { key: parameter.key, value: printableValue(parameter), secure: parameter.secure };
}

/** What `config list` shows in the VALUE column of a key whose value is gone. */
const GONE_VALUE = '(gone from SSM)';

/** `cnf-admin config list`: every parameter of the stage, secrets masked; a value SSM no longer keeps is named as gone (exit 0). */
async function configList(options: CommandOptions<'config list'>, io: CliIo): Promise<number> {
  const { platform, stage } = await openStage(io, options);
  const parameters = await platform.parameters.list();
  if (options.json === true) {
    writeJson(io, { stage: stage.name, parameters: parameters.map(printable) });
    writeGoneValues(parameters, stage.name, io);
    return 0;
  }
  if (parameters.length === 0) {
    writeLine(
      io.stderr,
      asInvoked(`Stage ${stage.name} has no parameters. Set one with: cnf-admin config set KEY VALUE --stage ${stage.name}`, io.env),
    );
    return 0;
  }
  writeLine(
    io.stdout,
    formatTable(
      ['KEY', 'VALUE', 'TYPE'],
      parameters.map((parameter) => [
        parameter.key,
        isGone(parameter) ? GONE_VALUE : printableValue(parameter),
        parameter.secure ? 'secure' : 'plain',
      ]),
      { width: terminalWidth(io) },
    ),
  );
  writeGoneValues(parameters, stage.name, io);
  return 0;
}

/** Says on stderr which listed values are gone from SSM, and what to do; nothing when none is. */
function writeGoneValues(parameters: readonly ParameterEntry[], stage: string, io: CliIo): void {
  const gone = parameters.filter(isGone);
  if (gone.length === 0) return;
  const { message, hint } = goneValuesProblem(gone, stage);
  writeLine(io.stderr, asInvoked(message, io.env));
  writeLine(io.stderr, asInvoked(hint, io.env));
}

/**
 * `cnf-admin config get KEY`: one parameter; a secret's value is never printed.
 *
 * @throws UsageError (64) when the stage has no such key; UnavailableError
 * (69) when the live config version names a value of it that SSM no longer keeps.
 */
async function configGet(key: string, options: CommandOptions<'config get'>, io: CliIo): Promise<number> {
  assertValidConfigKey(key);
  const { platform, stage } = await openStage(io, options);
  if (key === platform.managedConfigKeys?.managedDatabaseKey())
    writeLine(io.stderr, `${key} is managed by cnf-admin: the embedded database's URL (cnf-admin db).`);
  const parameter = await platform.parameters.get(key);
  if (parameter === undefined) {
    const known = (await platform.parameters.list()).map((candidate) => candidate.key);
    throw new UsageError(`Stage ${stage.name} has no parameter ${key}.${didYouMean(key, known)}`, {
      hint: `List them with: cnf-admin config list --stage ${stage.name}`,
    });
  }
  if (isGone(parameter)) {
    const { message, hint } = goneValuesProblem([parameter], stage.name);
    throw new UnavailableError(message, { hint });
  }
  if (options.json === true) writeJson(io, printable(parameter));
  else writeLine(io.stdout, printableValue(parameter));
  if (parameter.secure && options.json !== true) writeLine(io.stderr, `${key} is secure: cnf-admin never prints its value.`);
  return 0;
}

/**
 * `cnf-admin config set KEY [VALUE] [--secure]`. A VALUE of `-` is read
 * from stdin; without a VALUE it is asked for at a terminal (hidden for a
 * secure one, as `gh secret set` does) and read from stdin when that is a
 * pipe or a file. A secure value given on the command line is set, with a
 * warning that it is now in the shell's history.
 *
 * @throws UsageError (64) for an empty value, a secure value shorter than
 * the redactor's minimum, or no value and no way to read one; nothing is set.
 */
async function configSet(key: string, value: string | undefined, options: CommandOptions<'config set'>, io: CliIo): Promise<number> {
  assertValidConfigKey(key);
  const secure = options.secure === true;
  // A Ctrl-C until the change sets nothing.
  const { platform, stage, text } = await beforeChange(io, 'nothing was set', () => checkedSet(key, value, options, io));
  // The change and its report are one step: a Ctrl-C now lets both finish (0), never ends it as interrupted (130) after the change.
  return unstoppable(io, CHANGE_FINISHES_FIRST, async () => {
    const before = await platform.configVersions?.live();
    await platform.parameters.set(key, text, { secure });
    const renumbered = platform.parameters.renumbered?.();
    const live = await platform.configVersions?.live();
    const from = await platform.configVersions?.liveFrom?.();
    if (options.json === true)
      writeJson(io, {
        key,
        value: secure ? MASK : text,
        secure,
        stage: stage.name,
        ...(live === undefined ? {} : { configVersion: live }),
        ...(renumbered === undefined ? {} : { renumbered }),
        ...unrecordedMoveField(platform.configVersions),
      });
    else
      writeLine(
        io.stderr,
        live === undefined
          ? `Set ${key}${secure ? ' (secure)' : ''} on stage ${stage.name}. Admin runs read it from now on; web functions within their cache time.`
          : `Set ${key}${secure ? ' (secure)' : ''} on stage ${stage.name}: ${configLiveMessage(before, live, from)}`,
      );
    if (renumbered !== undefined) writeNotice(io, renumbered);
    writeUnrecordedMove(platform.configVersions, io);
    return 0;
  });
}

/**
 * Opens the stage and checks `config set`'s key and value against it, then
 * reads the value: what the stage refuses is refused before a value is asked
 * for, read or warned about.
 *
 * @throws UsageError (64) naming what is wrong; nothing is set.
 */
async function checkedSet(
  key: string,
  value: string | undefined,
  options: CommandOptions<'config set'>,
  io: CliIo,
): Promise<{ platform: Platform; stage: Stage; text: string }> {
  const secure = options.secure === true;
  // The stage as typed: every command a hint here suggests acts on it, never on another.
  const onStage = ` --stage ${options.stage}`;
  const { platform, stage } = await openStage(io, options);
  platform.managedConfigKeys?.assertUnmanagedKey(key, 'set');
  if (!secure && (await platform.parameters.get(key))?.secure === true) {
    // A secret's key set again without --secure would store its next value in plain text, printed by config get and list.
    throw new UsageError(`${key} is secure on stage ${stage.name}; without --secure its new value would be stored in plain text.`, {
      hint: `Keep it secure: cnf-admin config set ${key} --secure${onStage}. To make it plain, unset it first: cnf-admin config unset ${key}${onStage}`,
    });
  }
  // A secret typed as the key would be printed by config list and kept in the history for good.
  const secrets = typedSecretsOf(platform);
  const holdsSecret = async (text: string): Promise<boolean> => (await secrets?.holds(text)) === true;
  if (await holdsSecret(key))
    throw new UsageError(`The key given holds the value of a secure parameter of stage ${stage.name} (not shown); nothing was set.`, {
      hint: `Keys are printed by config list and kept in the history: give the key's name first, then the value: cnf-admin config set KEY --secure${onStage}`,
    });
  const text = await valueToSet(key, value, secure, io, onStage);
  if (text === '')
    throw new UsageError(`The value of ${key} is empty; nothing was set.`, {
      hint: `To remove ${key}, unset it: cnf-admin config unset ${key}${onStage}`,
    });
  if (!secure && (await holdsSecret(text)))
    throw new UsageError(
      `The value given for ${key} holds the value of a secure parameter of stage ${stage.name} (not shown); nothing was set.`,
      {
        hint: `Stored plain, config get and list would print it. Keep it secure: cnf-admin config set ${key} --secure${onStage}`,
      },
    );
  const tooShort = secure ? secretValueProblem(key, text) : undefined;
  if (tooShort !== undefined) throw new UsageError(tooShort, { hint: 'Choose another value; nothing was set.' });
  // The other way round: a secret that a plain value holds would be printed, with that value, by config get, list and diff:
  // an earlier version's too, or a removed key's, which diff and rollback print.
  if (secure) await assertHeldByNoPlainValue(platform, key, text, stage.name);
  if (secure) await assertHeldByNoKeyName(platform, key, text, stage.name);
  if (secure && value !== undefined && value !== '-') {
    writeLine(
      io.stderr,
      asInvoked(
        `Warning: the value of ${key} is now in your shell's history. Next time leave it out to type it hidden, or pipe it: cnf-admin config set ${key} - --secure${onStage} < file`,
        io.env,
      ),
    );
  }
  return { platform, stage, text };
}

/**
 * Refuses (64) a secure value that a plain value of the stage holds, live or
 * kept in its history: `config get`, `list`, `diff` and `rollback` print those.
 */
async function assertHeldByNoPlainValue(platform: Platform, key: string, text: string, stage: string): Promise<void> {
  const kept =
    (await platform.parameters.keptPlainValues?.()) ??
    (await platform.parameters.list()).flatMap((parameter) =>
      parameter.secure || isGone(parameter) ? [] : [{ key: parameter.key, value: parameter.value, live: true }],
    );
  // The key's own plain value too: made secure now, the plain one stays in its history, which config diff prints.
  // The live values come first: a live holder is named as one. Held as the redactor finds it (a line of it, a URL's password).
  const holds = holderOf(text);
  const holder = kept.find((parameter) => holds(parameter.value));
  if (holder === undefined) return;
  const isLive = holder.live;
  const whose = holder.key === key ? `${key}'s own` : `${holder.key}'s`;
  throw new UsageError(
    isLive
      ? `The value given for ${key} is held by ${whose} plain value on stage ${stage} (not shown); nothing was set.`
      : `The value given for ${key} is held by an earlier plain value, ${whose}, kept in the history of stage ${stage} (not shown); nothing was set.`,
    {
      hint: `${isLive ? `config get, list and diff print ${holder.key}'s value` : 'config diff and config rollback print earlier values'}, and the history keeps it while it keeps that version: treat the value as exposed, and set a new one for ${key}.`,
    },
  );
}

/**
 * Refuses (64) a secure value that a key's name holds, on the local stage:
 * the key being set, or a key any kept config version names (removed since
 * too). Key names are printed by `config list`, `history` and `diff`; and a
 * secret held by a key's name would leave that key refused by every later
 * `config set` there (a key may not hold a secure value the stage keeps).
 */
async function assertHeldByNoKeyName(platform: Platform, key: string, text: string, stage: string): Promise<void> {
  if (platform.kind !== 'local') return;
  const names = new Set([key, ...(await platform.parameters.list()).map((parameter) => parameter.key)]);
  for (const version of (await platform.configVersions?.versions()) ?? []) for (const name of Object.keys(version.keys)) names.add(name);
  if (![...names].some(holderOf(text))) return;
  throw new UsageError(`The value given for ${key} is held by a key's name on stage ${stage} (not shown); nothing was set.`, {
    hint: 'config list, history and diff print the names of keys, and the history keeps them: choose another value.',
  });
}

/**
 * Whether a text holds the secure value `secret` as the output's redactor
 * finds it: whole, or a part it redacts on its own (a line of it, the
 * password of a URL), or escaped. Where it does, printing the text prints it.
 * One redactor serves every text asked about.
 */
function holderOf(secret: string): (text: string) => boolean {
  const redactor = new SecretRedactor([secret]);
  return (text) => redactor.text(text) !== text;
}

/** The value `config set` stores: as given, from stdin (`-`, or a pipe), or typed at the terminal. */
async function valueToSet(key: string, value: string | undefined, secure: boolean, io: CliIo, onStage: string): Promise<string> {
  if (value === '-') return readAll(io.stdin);
  if (value !== undefined) return value;
  if ((io.stdin as { isTTY?: boolean }).isTTY === true) {
    const prompt = `Value of ${key}${secure ? ' (input hidden)' : ''}: `;
    return secure ? readHiddenLine(io, prompt) : askAtTerminal(io, prompt, 'Interrupted: nothing was set.');
  }
  if (stdinIsPiped(io)) return readAll(io.stdin);
  throw new UsageError(`config set ${key} needs a value, and stdin is neither a terminal nor a pipe.`, {
    hint: `Give it as an argument, or pipe it: cnf-admin config set ${key} -${secure ? ' --secure' : ''}${onStage} < file`,
  });
}

/** Whether the process's stdin is a pipe, a socket or a file (not a terminal, and not /dev/null); a test's own stdin always is. */
function stdinIsPiped(io: CliIo): boolean {
  if (io.stdin !== process.stdin) return true;
  const stats = fstatSync(0);
  return stats.isFIFO() || stats.isSocket() || stats.isFile();
}

/** `cnf-admin config unset KEY`. */
async function configUnset(key: string, options: CommandOptions<'config unset'>, io: CliIo): Promise<number> {
  assertValidConfigKey(key);
  const { platform, stage } = await beforeChange(io, 'nothing was removed', () => openStage(io, options));
  platform.managedConfigKeys?.assertUnmanagedKey(key, 'unset');
  // The change and its report are one step, as in config set.
  return unstoppable(io, CHANGE_FINISHES_FIRST, async () => {
    const before = await platform.configVersions?.live();
    const existed = await platform.parameters.unset(key);
    const live = await platform.configVersions?.live();
    const from = await platform.configVersions?.liveFrom?.();
    // A typo removes nothing: say which key was likely meant.
    const close = existed
      ? ''
      : didYouMean(
          key,
          (await platform.parameters.list()).map((parameter) => parameter.key),
        );
    // A key that named nothing may be a secret typed in the wrong place: it is not printed back.
    const shown = existed ? key : await maskTypedSecrets(platform, key);
    if (options.json === true)
      writeJson(io, {
        key: shown,
        removed: existed,
        stage: stage.name,
        ...(live === undefined ? {} : { configVersion: live }),
        ...unrecordedMoveField(platform.configVersions),
      });
    else
      writeLine(
        io.stderr,
        existed
          ? `Removed ${key} from stage ${stage.name}${live === undefined ? '.' : `: ${configLiveMessage(before, live, from)}`}`
          : `Stage ${stage.name} had no parameter ${shown}; nothing changed.${close}`,
      );
    writeUnrecordedMove(platform.configVersions, io);
    return 0;
  });
}

/**
 * When a config change is live, in words: a stage that keeps config versions
 * makes the new one live for web and admin in one write, at once (local) or
 * at `from`, a moment every warm web container sees (AWS).
 */
function configLiveMessage(before: number | undefined, live: number, from?: string): string {
  const version = configVersionLabel(live);
  if (before === live) return `the value was already that; config ${version} stays live.`;
  if (from !== undefined) {
    const seconds = Math.max(0, Math.round((Date.parse(from) - Date.now()) / 1000));
    return `config ${version} is live for web and admin together from ${from.slice(11, 19)} UTC (in ${seconds} s); admin runs started from now on read it at once.`;
  }
  return `config ${version} is live now, for web and admin together.`;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export { configGet, configList, configSet, configUnset };
