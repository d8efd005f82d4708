import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Options of {@link startTerminal}. */
interface TerminalOptions {
  readonly cwd: string;
  /** The environment of the command, on top of a terminal's (TERM, no CI). */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 100 */
  readonly columns?: number;
  /** @default 40 */
  readonly rows?: number;
}

/** A command running in a pseudo-terminal, seen as a person sees its screen. */
interface Terminal {
  /** Types keys: text, or tmux key names (`Enter`, `Tab`, `C-c`, `Up`). */
  send(...keys: string[]): void;
  /** The screen's text; with `escapes`, with its colour codes. */
  screen(options?: { readonly escapes?: boolean }): string;
  /** Resolves with the screen once `check` holds for it; fails with the screen after `timeoutMs`. */
  waitFor(check: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The process id of the command (a child of the terminal's shell). */
  commandPid(): number;
  /** Ends the terminal and what runs in it. */
  close(): void;
}

const POLL_MS = 100;

/** A process's arguments, NUL-separated, as /proc shows them. */
function commandLine(pid: string): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}

/**
 * Runs `command` in a tmux session of its own (its own server socket, so
 * that nothing else using tmux on the machine is touched). When the command
 * ends, the terminal prints `[exit <code>]` and stays open to be read.
 */
function startTerminal(command: readonly string[], options: TerminalOptions): Terminal {
  const socket = `cnf-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const quoted = command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  // A person's terminal: not CI, no NO_COLOR, unless the test says so.
  const { CI: _ci, NO_COLOR: _noColor, TMUX: _tmux, npm_command: _command, npm_lifecycle_event: _event, ...inherited } = process.env;
  const env = { ...inherited, TERM: 'xterm-256color', ...options.env };
  execFileSync(
    'tmux',
    [
      '-L',
      socket,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-c',
      options.cwd,
      '-x',
      String(options.columns ?? 100),
      '-y',
      String(options.rows ?? 40),
      `${quoted}; echo "[exit $?]"; sleep 600`,
    ],
    { cwd: options.cwd, env },
  );
  const screen = (view: { readonly escapes?: boolean } = {}): string =>
    tmux('capture-pane', '-p', ...(view.escapes === true ? ['-e'] : []), '-S', '-200', '-t', '0');
  return {
    send: (...keys) => void tmux('send-keys', '-t', '0', ...keys),
    screen,
    async waitFor(check, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const text = screen();
        if (check(text)) return text;
        if (Date.now() > until) throw new Error(`The screen never showed what was expected:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    commandPid() {
      const shell = tmux('display-message', '-p', '-t', '0', '#{pane_pid}').trim();
      // The shell runs the command as its child, unless it replaced itself with it.
      const candidates = [shell, ...readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)];
      const pid = candidates.find((candidate) => /^\d+$/.test(candidate) && commandLine(candidate).includes(command.join('\0')));
      if (pid === undefined) throw new Error(`No process runs ${command.join(' ')} in the terminal (shell ${shell})`);
      return Number(pid);
    },
    close: () => void tmux('kill-server'),
  };
}

export { startTerminal };
export type { Terminal, TerminalOptions };
