/**
 * Reading the local console's screen in tmux: its prompt, how many prompts
 * it shows, and typing one input and waiting for the next prompt.
 */
import type { Terminal } from './tmux.js';

/** The local stage's console prompt, as the screen shows it (tmux drops the space after it). */
const PROMPT = 'local>';

/** The number of prompts on the screen that wait for input (the last line) or took one. */
function prompts(screen: string): number {
  return screen.split('\n').filter((line) => line.startsWith(PROMPT)).length;
}

/** The screen's last line, trailing blanks cut. */
function lastLine(screen: string): string {
  return screen.trimEnd().split('\n').at(-1)?.trimEnd() ?? '';
}

/** Types one input and waits until the console asks for the next; resolves to the screen. */
async function enter(term: Terminal, input: string): Promise<string> {
  const before = prompts(term.screen());
  term.send('-l', input);
  term.send('Enter');
  return term.waitFor((screen) => prompts(screen) > before && lastLine(screen) === PROMPT);
}

export { enter, lastLine, PROMPT, prompts };
