import type { ConsoleAnswer, ConsoleInput } from '../../core/console-protocol.js';
import { deserialize } from 'node:v8';
import type { ConsoleCompletion, ConsoleEvaluateOptions, ConsoleSession, InvokePlan, Platform, RunFrame } from '../../core/platform.js';
import { newRunId } from '../../core/run.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import { completeLine, memberNames, valueAt } from '../../runtime/console/console-completion.js';
import { consoleGlobalNames } from '../../runtime/console/console-session.js';

/* What every session's scope holds, before any answer has said more. */
const SCOPE_NAMES = ['config', 'log', 'signal'];

/**
 * A console session on an AWS stage. Each input is its own invocation of
 * the planned admin version and may land on another container, so nothing
 * rests on a warm one: the session's saved variables travel with every
 * input (`state`) and come back, updated, with its result. Functions and
 * handles cannot travel; the session says which were dropped.
 *
 * Completion needs no invocation: names come from the last answer, members
 * from the carried state (plain data, read here) and from the member names
 * of the scope's values that each answer lists.
 *
 * An interrupt stops waiting for the invocation; Lambda cannot be told to
 * stop one, so the evaluation may still run there, and the session says how
 * to see it.
 */
class AwsConsoleSession implements ConsoleSession {
  readonly #session = `console-${newRunId()}`;
  #state = '';
  #names: readonly string[] = SCOPE_NAMES;
  #members: Readonly<Record<string, readonly string[]>> = {};

  constructor(
    private readonly platform: Pick<Platform, 'invoke'>,
    private readonly plan: InvokePlan,
    private readonly caller: string,
  ) {}

  async *evaluate(code: string, options: ConsoleEvaluateOptions = {}): AsyncGenerator<RunFrame> {
    const event = {
      task: CONSOLE_TASK,
      args: {
        code,
        session: this.#session,
        state: this.#state,
        ...(options.colors === true ? { colors: true } : {}),
        ...(options.json === true ? { json: true } : {}),
      } satisfies ConsoleInput,
      runId: newRunId(),
      source: 'cli' as const,
      caller: this.caller,
    };
    let answered = false;
    // The live stream carries a console's output; waiting for CloudWatch would only slow each input down.
    for await (const frame of this.platform.invoke(this.plan, event, { ...options, completeLog: false })) {
      if (frame.type === 'result') answered = true;
      if (frame.type === 'result' && frame.result.exitCode === 0) {
        const answer = (frame.result.output ?? {}) as Partial<ConsoleAnswer>;
        this.#state = answer.state ?? '';
        this.#names = answer.names ?? this.#names;
        this.#members = answer.members ?? this.#members;
        if (answer.dropped !== undefined && answer.dropped.length > 0) {
          yield {
            type: 'notice',
            message: `Not carried over to the next input (only plain data travels between invocations): ${answer.dropped.join(', ')}`,
          };
        }
      }
      yield frame;
    }
    if (!answered && options.signal?.aborted === true) {
      yield {
        type: 'notice',
        message:
          `Stopped waiting for run ${event.runId}: the evaluation may still run in Lambda, and what it declares will not reach this session. ` +
          `See it with: cnf-admin logs ${event.runId} --stage ${this.plan.stage} (or cnf-admin runs --stage ${this.plan.stage} --all)`,
      };
    }
  }

  async complete(line: string): Promise<ConsoleCompletion> {
    const state = this.#state === '' ? {} : (deserialize(Buffer.from(this.#state, 'base64')) as Record<string, unknown>);
    return completeLine(line, {
      names: () => [...consoleGlobalNames(), ...SCOPE_NAMES, ...this.#names],
      members: (path) => {
        const [first] = path;
        if (first === undefined) return undefined;
        if (Object.hasOwn(state, first)) return membersAt(state[first], path);
        if (Object.hasOwn(this.#members, first)) return path.length === 1 ? this.#members[first] : undefined;
        // JavaScript's own globals (Math, JSON, Date) are the same here as in Lambda.
        return consoleGlobalNames().includes(first) ? membersAt((globalThis as Record<string, unknown>)[first], path) : undefined;
      },
    });
  }

  async clear(): Promise<void> {
    // The saved variables are the session here: without them, the next input starts from the scope alone.
    this.#state = '';
    this.#names = SCOPE_NAMES;
  }

  async close(): Promise<void> {
    this.#state = '';
  }
}

/** The members of the value `path` leads to, starting from `root` (the value of its first name). */
function membersAt(root: unknown, path: readonly string[]): string[] | undefined {
  const found = valueAt(() => root, path);
  return found === undefined ? undefined : memberNames(found.value);
}

export { AwsConsoleSession };
