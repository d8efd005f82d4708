import { createInterface } from 'node:readline/promises';
import { InterruptedError } from './interrupts.js';
import type { CliIo } from './io.js';

/** A key as readline tells it on a terminal's input. */
interface Keypress {
  readonly name?: string;
  readonly ctrl?: boolean;
}

/**
 * Asks `question` at the terminal and gives the line typed. Ctrl-D (the
 * input's end) answers the empty line: a confirmation reads it as no, a
 * value as none.
 *
 * @throws InterruptedError (130) on Ctrl-C, with `interrupted` as its message: nothing was done.
 *
 * @example
 * const answer = await askAtTerminal(io, 'Roll back? Type yes to confirm: ', 'Interrupted: nothing moved.');
 */
async function askAtTerminal(io: CliIo, question: string, interrupted: string): Promise<string> {
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  let ctrlC = false;
  const onKeypress = (_text: unknown, key: Keypress | undefined): void => {
    if (key?.ctrl === true && key.name === 'c') ctrlC = true;
  };
  io.stdin.on('keypress', onKeypress);
  try {
    return await prompt.question(question);
  } catch (error) {
    // readline ends the question with an AbortError on Ctrl-C and on Ctrl-D alike.
    if ((error as Error).name !== 'AbortError') throw error;
    io.stderr.write('\n');
    if (ctrlC) throw new InterruptedError(interrupted);
    return '';
  } finally {
    io.stdin.off('keypress', onKeypress);
    prompt.close();
  }
}

export { askAtTerminal };
