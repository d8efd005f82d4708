import { InvalidArgumentError, Option } from 'commander';

/**
 * Turns the text given to a flag into its value, or throws commander's
 * `InvalidArgumentError` with a one-line message that names the flag (its
 * long form, e.g. `--port`) and the text; the CLI then exits 64.
 */
type OptionParser<Value> = (text: string, flag: string) => Value;

/**
 * One flag of a command, declared once: its flags in commander's notation,
 * its help, and the value the command receives (its parser and default).
 * Help shows the default from here; the command's options type is
 * inferred from it ({@link OptionsOf}). Made with {@link option}.
 *
 * @typeParam Flags - e.g. `-p, --port <port>`, `--wait-lock [duration]`, `--no-open`.
 * @typeParam Value - what the command receives when the flag is given (or defaults).
 * @typeParam HasDefault - whether the command always receives a value.
 */
interface CliOption<Flags extends string = string, Value = unknown, HasDefault extends boolean = boolean> {
  readonly flags: Flags;
  readonly description: string;
  readonly parse: OptionParser<Value> | undefined;
  /** The value when the flag is not given. */
  readonly default: HasDefault extends true ? Value : undefined;
  /** How help names the default, when not as the value reads (`--port`'s 0: "a free one"). */
  readonly defaultText: string | undefined;
  /** With an optional value (`[duration]`): the text the flag stands for when given alone. */
  readonly preset: string | undefined;
}

/** `-s, --stage <name>` → `stage`; `--run-id <id>` → `run-id`; `--no-open` → `no-open`. */
type LongName<Flags extends string> = Flags extends `${string}--${infer Rest}`
  ? Rest extends `${infer Name} ${string}`
    ? Name
    : Rest
  : never;

/** `run-id` → `runId`. */
type CamelCase<Text extends string> = Text extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : Text;

/** The key commander stores a flag under: `--run-id` → `runId`, `--no-open` → `open`. */
type OptionKey<Flags extends string> = LongName<Flags> extends `no-${infer Name}` ? CamelCase<Name> : CamelCase<LongName<Flags>>;

/** What a flag without a parser gives: its text, `true` for an optional value left out, or (no value) that it was given. */
type TextValue<Flags extends string> = Flags extends `${string}<${string}>${string}`
  ? string
  : Flags extends `${string}[${string}]${string}`
    ? string | true
    : boolean;

/** A `--no-x` flag is `true` unless given. */
type IsNegated<Flags extends string> = LongName<Flags> extends `no-${string}` ? true : false;

type ValueOf<Declared> = Declared extends CliOption<string, infer Value, boolean> ? Value : never;

type AlwaysGiven<Declared> =
  Declared extends CliOption<infer Flags, unknown, infer HasDefault> ? (HasDefault extends true ? true : IsNegated<Flags>) : false;

/**
 * The options object a command receives for its declared flags, keyed as
 * commander keys them, each typed by its parser (a string, or a boolean for
 * a flag without a value); a flag with a default is always there.
 *
 * @example
 * OptionsOf<[typeof STAGE, typeof PORT]> // { readonly stage: string; readonly port?: number }
 */
type OptionsOf<Declared extends readonly CliOption[]> = {
  readonly [Each in Declared[number] as AlwaysGiven<Each> extends true ? OptionKey<Each['flags']> : never]: ValueOf<Each>;
} & {
  readonly [Each in Declared[number] as AlwaysGiven<Each> extends true ? never : OptionKey<Each['flags']>]?: ValueOf<Each>;
};

/** How help names a flag's default, and what an optional value stands for when left out. */
interface OptionExtras {
  readonly defaultText?: string;
  readonly preset?: string;
}

/**
 * Declares a flag: `option('-p, --port <port>', 'the port to listen on',
 * { parse: portNumber, default: 3000 })` gives its command `port: number`.
 * Without a parser, a flag with a value gives its text and one without gives
 * a boolean; without a default, the key may be missing.
 */
function option<const Flags extends string>(flags: Flags, description: string): CliOption<Flags, TextValue<Flags>, false>;
function option<const Flags extends string, Value>(
  flags: Flags,
  description: string,
  value: OptionExtras & { readonly parse: OptionParser<Value>; readonly default: NoInfer<Value> },
): CliOption<Flags, Value, true>;
function option<const Flags extends string>(
  flags: Flags,
  description: string,
  value: OptionExtras & { readonly parse?: undefined; readonly default: TextValue<Flags> },
): CliOption<Flags, TextValue<Flags>, true>;
function option<const Flags extends string, Value>(
  flags: Flags,
  description: string,
  value: OptionExtras & { readonly parse: OptionParser<Value>; readonly default?: undefined },
): CliOption<Flags, Value, false>;
function option(
  flags: string,
  description: string,
  value: OptionExtras & { readonly parse?: OptionParser<unknown>; readonly default?: unknown } = {},
): CliOption {
  return { flags, description, parse: value.parse, default: value.default, defaultText: value.defaultText, preset: value.preset };
}

/**
 * The commander `Option` of a declaration. A flag that takes a value is
 * given once: `--stage prod --stage local` is refused, as a task's repeated
 * flag is, since "the last one wins" would quietly pick a stage (or run id,
 * or args) for the user.
 */
function commanderOption(declared: CliOption): Option {
  const made = new Option(declared.flags, declared.description);
  if (declared.default !== undefined) made.default(declared.default, declared.defaultText ?? String(declared.default));
  if (declared.preset !== undefined) made.preset(declared.preset);
  if (!made.required && !made.optional) return made;
  const flag = made.long ?? made.flags;
  const parse = declared.parse;
  let given: string | undefined;
  return made.argParser((text: string) => {
    if (given !== undefined) throw new InvalidArgumentError(`${flag} is given more than once (${given}, then ${text}); give it once.`);
    given = text;
    return parse === undefined ? text : parse(text, flag);
  });
}

/**
 * A flag as help describes it: its description, then its default (from its
 * declaration) and, for an optional value, what the flag alone stands for.
 */
function optionHelp(made: Option): string {
  const notes = [
    ...(made.defaultValue === undefined || made.negate ? [] : [`default: ${made.defaultValueDescription ?? String(made.defaultValue)}`]),
    ...(made.presetArg === undefined ? [] : [`${made.long ?? made.flags} alone: ${String(made.presetArg)}`]),
  ];
  return notes.length === 0 ? made.description : `${made.description} (${notes.join('; ')})`;
}

/**
 * commander's message for a value a parser refused, without its preamble
 * (`option '-p, --port <port>' argument 'x' is invalid.`): the parser's own
 * line names the flag and the value already.
 */
function withoutInvalidPreamble(message: string): string {
  return message.replace(/^(error: )?option '[^']*' argument '[\s\S]*?' is invalid\. /, '$1');
}

/**
 * The words an option is written as on the command line, short and long.
 *
 * @example
 * flagWordsOf({ flags: '-s, --stage <name>' }); // ['-s', '--stage']
 */
function flagWordsOf(option: Pick<CliOption, 'flags'>): string[] {
  return option.flags.match(/-{1,2}[\w-]+/g) ?? [];
}

/**
 * The placeholder of an option's value (`<name>`, `[duration]`), or
 * undefined for a flag that takes none.
 *
 * @example
 * valuePlaceholderOf({ flags: '-s, --stage <name>' }); // '<name>'
 */
function valuePlaceholderOf(option: Pick<CliOption, 'flags'>): string | undefined {
  return /[<[][^>\]]*[>\]]/.exec(option.flags)?.[0];
}

export { commanderOption, flagWordsOf, option, optionHelp, valuePlaceholderOf, withoutInvalidPreamble };
export type { CliOption, OptionParser, OptionsOf };
