import { didYouMean } from '../../core/did-you-mean.js';
import { UsageError } from '../../core/errors.js';
import { assertValidConfigKey, MASK, printableValue, type Parameter } from '../../core/parameter-set.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { assertUnmanagedKey, managedDatabaseKey } from '../../platform/local/managed-database-url.js';
import { formatTable, terminalWidth } from '../render/table.js';
import { openStage, type StageOptions } from '../stage-context.js';

/** The options every `cnf-admin config` subcommand takes. */
interface ConfigCommandOptions extends StageOptions {
  readonly json?: boolean;
}

/** A parameter as `--json` shows it: secrets masked. */
function printable(parameter: Parameter): { key: string; value: string; secure: boolean } {
  return { key: parameter.key, value: printableValue(parameter), secure: parameter.secure };
}

/** `cnf-admin config list`: every parameter of the stage, secrets masked. */
async function configList(options: ConfigCommandOptions, io: CliIo): Promise<number> {
  const { platform, stage } = await openStage(io, options);
  const parameters = await platform.parameters.list();
  if (options.json === true) {
    writeJson(io, { stage: stage.name, parameters: parameters.map(printable) });
    return 0;
  }
  if (parameters.length === 0) {
    writeLine(io.stderr, `Stage ${stage.name} has no parameters. Set one with: cnf-admin config set KEY VALUE --stage ${stage.name}`);
    return 0;
  }
  writeLine(
    io.stdout,
    formatTable(
      ['KEY', 'VALUE', 'TYPE'],
      parameters.map((parameter) => [parameter.key, printableValue(parameter), parameter.secure ? 'secure' : 'plain']),
      { width: terminalWidth(io) },
    ),
  );
  return 0;
}

/** `cnf-admin config get KEY`: one parameter; a secret's value is never printed. */
async function configGet(key: string, options: ConfigCommandOptions, io: CliIo): Promise<number> {
  assertValidConfigKey(key);
  const { platform, stage, project } = await openStage(io, options);
  if (key === managedDatabaseKey(project, stage))
    writeLine(io.stderr, `${key} is managed by cnf-admin: the embedded database's URL (cnf-admin db).`);
  const parameter = await platform.parameters.get(key);
  if (parameter === undefined) {
    const known = (await platform.parameters.list()).map((candidate) => candidate.key);
    throw new UsageError(`Stage ${stage.name} has no parameter ${key}.${didYouMean(key, known)}`, {
      hint: `List them with: cnf-admin config list --stage ${stage.name}`,
    });
  }
  if (options.json === true) writeJson(io, printable(parameter));
  else writeLine(io.stdout, printableValue(parameter));
  if (parameter.secure && options.json !== true) writeLine(io.stderr, `${key} is secure: cnf-admin never prints its value.`);
  return 0;
}

/** The options of `cnf-admin config set`. */
interface ConfigSetOptions extends ConfigCommandOptions {
  readonly secure?: boolean;
}

/**
 * `cnf-admin config set KEY VALUE [--secure]`; a VALUE of `-` is read from
 * stdin, so that a secret stays out of the shell's history.
 */
async function configSet(key: string, value: string, options: ConfigSetOptions, io: CliIo): Promise<number> {
  assertValidConfigKey(key);
  const text = value === '-' ? await readAll(io.stdin) : value;
  if (text === '') throw new UsageError(`The value of ${key} is empty; to remove it use: cnf-admin config unset ${key}`);
  const { platform, stage, project } = await openStage(io, options);
  assertUnmanagedKey(project, stage, key, 'set');
  const secure = options.secure === true;
  await platform.parameters.set(key, text, { secure });
  if (options.json === true) writeJson(io, { key, value: secure ? MASK : text, secure, stage: stage.name });
  else
    writeLine(
      io.stderr,
      `Set ${key}${secure ? ' (secure)' : ''} on stage ${stage.name}. Admin runs read it from now on; web functions within their cache time.`,
    );
  return 0;
}

/** `cnf-admin config unset KEY`. */
async function configUnset(key: string, options: ConfigCommandOptions, io: CliIo): Promise<number> {
  assertValidConfigKey(key);
  const { platform, stage, project } = await openStage(io, options);
  assertUnmanagedKey(project, stage, key, 'unset');
  const existed = await platform.parameters.unset(key);
  // A typo removes nothing: say which key was likely meant.
  const close = existed
    ? ''
    : didYouMean(
        key,
        (await platform.parameters.list()).map((parameter) => parameter.key),
      );
  if (options.json === true) writeJson(io, { key, removed: existed, stage: stage.name });
  else
    writeLine(
      io.stderr,
      existed ? `Removed ${key} from stage ${stage.name}.` : `Stage ${stage.name} had no parameter ${key}; nothing changed.${close}`,
    );
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export { configGet, configList, configSet, configUnset };
export type { ConfigCommandOptions, ConfigSetOptions };
