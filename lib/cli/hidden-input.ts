import { InterruptedError } from './interrupts.js';
import type { CliIo } from './io.js';

/** A terminal's input, as Node gives it for a TTY. */
type TerminalInput = NodeJS.ReadableStream & { setRawMode(mode: boolean): unknown; isTTY?: boolean };

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const ERASE = new Set(['\u007f', '\b']);

/**
 * Asks for one line at the terminal without echoing it, as `gh secret set`
 * and `sudo` do: nothing of the value shows on the screen or in the
 * terminal's scrollback. Backspace and Ctrl-U edit; Enter ends it; Ctrl-D
 * on an empty line gives the empty string.
 *
 * @throws InterruptedError (130) on Ctrl-C.
 *
 * @example
 * const token = await readHiddenLine(io, 'Value of API_TOKEN (input hidden): ');
 */
async function readHiddenLine(io: CliIo, prompt: string): Promise<string> {
  const input = io.stdin as TerminalInput;
  io.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string): void => {
        for (const char of chunk) {
          if (ENTER.has(char) || (char === CTRL_D && value === '')) {
            input.off('data', onData);
            resolve(value);
            return;
          }
          if (char === CTRL_C) {
            input.off('data', onData);
            reject(new InterruptedError('Interrupted: nothing was set.'));
            return;
          }
          if (ERASE.has(char)) value = [...value].slice(0, -1).join('');
          else if (char === CTRL_U) value = '';
          else if (char >= ' ' || char === '\t') value += char;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    io.stderr.write('\n');
  }
}

export { readHiddenLine };
