/*
 * What a console input and its answer are, between the CLI (and the AWS
 * platform's console session) that sends one input per run of the reserved
 * `cnf:console` task and the runtime's console task that evaluates it.
 */

/** The args of one `cnf:console` run. */
interface ConsoleInput {
  /** The input to evaluate. */
  readonly code: string;
  /** The session it belongs to: `[A-Za-z0-9._-]{1,128}`. */
  readonly session: string;
  /**
   * Where no process outlives an evaluation (AWS): the session's saved
   * variables, as the last answer gave them ('' for none yet).
   */
  readonly state?: string;
  /** Show the value in colour (the caller's terminal takes ANSI colours). */
  readonly colors?: boolean;
  /** Also answer the value as JSON data (`console --json`). */
  readonly json?: boolean;
}

/** What one console evaluation answers, as its run's output. */
interface ConsoleAnswer {
  /** The input's value, as `util.inspect` shows it. */
  readonly result: string;
  /**
   * With `json` in the input: the input's value as JSON data (what
   * `JSON.stringify` makes of it); absent for `undefined`, and for a value
   * JSON cannot hold (a BigInt, a cycle), which `result` still shows.
   */
  readonly value?: unknown;
  /** The session's declared names, for completion. */
  readonly names: readonly string[];
  /** The names the session's inputs declared: what is lost when its process must be ended. */
  readonly declared: readonly string[];
  /** With `state` in the input (AWS): the session's variables to send with the next input. */
  readonly state?: string;
  /** With `state` in the input: names whose values could not be carried over. */
  readonly dropped?: readonly string[];
  /** With `state` in the input: the member names of each scope value, for completion on the caller's side. */
  readonly members?: Readonly<Record<string, readonly string[]>>;
}

export type { ConsoleAnswer, ConsoleInput };
