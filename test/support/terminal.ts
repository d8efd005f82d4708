import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_BIN } from './cli.js';

const exec = promisify(execFile);

/** What a command left on a real terminal (a tmux pane). */
interface TerminalResult {
  /** Its exit code. */
  readonly code: number;
  /** Every byte it wrote to the terminal, escape sequences and all: a spinner's frames show here. */
  readonly bytes: string;
  /** The screen at the end, as a person sees it, one string per row, trailing blanks cut. */
  readonly screen: readonly string[];
}

/** Options of {@link runInTerminal}. */
interface TerminalOptions {
  readonly cwd: string;
  /** Set for the command; `undefined` unsets a variable. CI, NO_COLOR and FORCE_COLOR are unset unless given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default 80 */
  readonly columns?: number;
  /** @default 60_000 */
  readonly timeoutMs?: number;
  /** Sends stdout to this file instead of the terminal (stderr stays on it). @default - the terminal */
  readonly stdoutFile?: string;
  /** Keys typed at the terminal once its output shows `when` (a prompt), each answer once, in order. @default - none */
  readonly answers?: readonly TerminalAnswer[];
}

/** Text typed at a prompt: `keys` literally, then Enter unless `enter` is false. */
interface TerminalAnswer {
  readonly when: string;
  readonly keys: string;
  /** @default true */
  readonly enter?: boolean;
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/* Printed by the pane's shell after the command, with its exit code: the recording is complete once it holds this. */
const EXIT_MARK = '__cnf_exit=';

let sessions = 0;

/**
 * Runs the real `cnf-admin` binary on a terminal of its own: a detached tmux
 * pane of `columns` × 40 on a tmux server of this test's own, whose output
 * is recorded from the first byte. Resolves when the command has exited.
 */
async function runInTerminal(args: readonly string[], options: TerminalOptions): Promise<TerminalResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cnf-tty-'));
  const socket = `cnf-test-${process.pid}-${(sessions += 1)}`;
  const tmux = (...tmuxArgs: string[]) => exec('tmux', ['-L', socket, ...tmuxArgs], { cwd: options.cwd });
  // A person's terminal, where cnf-admin is typed, not run by npm (whose variables make hints say npx).
  const variables = {
    CI: undefined,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    npm_command: undefined,
    npm_lifecycle_event: undefined,
    TERM: 'xterm-256color',
    ...options.env,
  };
  // env takes its -u options before any assignment.
  const entries = Object.entries(variables);
  const envArgs = [
    ...entries.filter(([, value]) => value === undefined).map(([name]) => `-u ${name}`),
    ...entries.filter(([, value]) => value !== undefined).map(([name, value]) => `${name}=${quote(value as string)}`),
  ];
  const redirect = options.stdoutFile === undefined ? '' : ` > ${quote(options.stdoutFile)}`;
  const command = `env ${envArgs.join(' ')} ${quote(process.execPath)} ${[CLI_BIN, ...args].map(quote).join(' ')}${redirect}`;
  const recording = join(dir, 'bytes');
  try {
    // The pane waits for a line before it starts the command, so that the recording misses nothing.
    await tmux(
      'new-session',
      '-d',
      '-s',
      'cli',
      '-x',
      String(options.columns ?? 80),
      '-y',
      '40',
      `read go; ${command}; printf '\\n${EXIT_MARK}%d\\n' $?`,
    );
    await tmux('set-option', '-t', 'cli', 'remain-on-exit', 'on');
    await tmux('pipe-pane', '-o', '-t', 'cli', `cat >> ${quote(recording)}`);
    await tmux('send-keys', '-t', 'cli', 'Enter');
    const { code, bytes } = await exitOf(tmux, recording, options.timeoutMs ?? 60_000, options.answers ?? []);
    const screen = (await tmux('capture-pane', '-p', '-t', 'cli')).stdout
      .split('\n')
      .map((row) => row.trimEnd())
      // tmux's own line at the bottom of a pane whose command exited, and the exit mark
      .filter((row) => !row.startsWith('Pane is dead') && !row.startsWith(EXIT_MARK));
    while (screen.length > 0 && screen.at(-1) === '') screen.pop();
    return { code, bytes, screen };
  } finally {
    await tmux('kill-server').catch((error: unknown) => {
      // A server that is already gone is what we wanted.
      if (!/no server running|error connecting/.test(String(error))) throw error;
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Waits for the pane's command to exit and for its recording to be complete
 * (tmux pipes the pane's output through `cat`, which may still be writing
 * when the pane dies): the recording ends with the exit mark. Resolves to
 * the exit code and the bytes the command wrote.
 */
async function exitOf(
  tmux: (...args: string[]) => Promise<{ stdout: string }>,
  recording: string,
  timeoutMs: number,
  answers: readonly TerminalAnswer[],
): Promise<{ code: number; bytes: string }> {
  const giveUpAt = Date.now() + timeoutMs;
  const pending = [...answers];
  for (;;) {
    const [dead] = (await tmux('display-message', '-p', '-t', 'cli', '#{pane_dead}')).stdout.trim().split(' ');
    const recorded = existsSync(recording) ? readFileSync(recording, 'utf8') : '';
    const answer = pending[0];
    if (answer !== undefined && recorded.includes(answer.when)) {
      pending.shift();
      await tmux('send-keys', '-t', 'cli', '-l', answer.keys);
      if (answer.enter !== false) await tmux('send-keys', '-t', 'cli', 'Enter');
    }
    const mark = new RegExp(`\\r?\\n?${EXIT_MARK}(\\d+)`).exec(recorded);
    if (dead === '1' && mark !== null) return { code: Number(mark[1]), bytes: recorded.slice(0, mark.index) };
    if (Date.now() > giveUpAt) throw new Error(`The command on the terminal did not exit within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether terminal output holds a spinner: a frame of yocto-spinner's braille dots. */
function showsSpinner(bytes: string): boolean {
  return /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(bytes);
}

export { runInTerminal, showsSpinner };
export type { TerminalAnswer, TerminalOptions, TerminalResult };
