import type { ConsoleAnswer, ConsoleInput } from '../../core/console-protocol.js';
import type { ConsoleSession, InvokeOptions, InvokePlan, Platform, RunFrame } from '../../core/platform.js';
import { newRunId } from '../../core/run.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';

/**
 * A console session on an AWS stage. Each input is its own invocation of
 * the planned admin version and may land on another container, so nothing
 * rests on a warm one: the session's saved variables travel with every
 * input (`state`) and come back, updated, with its result. Functions and
 * handles cannot travel; the session says which were dropped.
 */
class AwsConsoleSession implements ConsoleSession {
  readonly #session = `console-${newRunId()}`;
  #state = '';

  constructor(
    private readonly platform: Pick<Platform, 'invoke'>,
    private readonly plan: InvokePlan,
    private readonly caller: string,
  ) {}

  async *evaluate(code: string, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
    const event = {
      task: CONSOLE_TASK,
      args: { code, session: this.#session, state: this.#state } satisfies ConsoleInput,
      runId: newRunId(),
      source: 'cli' as const,
      caller: this.caller,
    };
    // The live stream carries a console's output; waiting for CloudWatch would only slow each input down.
    for await (const frame of this.platform.invoke(this.plan, event, { ...options, completeLog: false })) {
      if (frame.type === 'result' && frame.result.exitCode === 0) {
        const answer = (frame.result.output ?? {}) as Partial<ConsoleAnswer>;
        this.#state = answer.state ?? '';
        if (answer.dropped !== undefined && answer.dropped.length > 0) {
          yield {
            type: 'notice',
            message: `Not carried over to the next input (only plain data travels between invocations): ${answer.dropped.join(', ')}`,
          };
        }
      }
      yield frame;
    }
  }

  async close(): Promise<void> {
    this.#state = '';
  }
}

export { AwsConsoleSession };
