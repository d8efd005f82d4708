import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The built binary, as npm links it: `bin/cnf-admin.cjs`. */
const CLI_BIN = fileURLToPath(new URL('../../bin/cnf-admin.cjs', import.meta.url));

/** What a finished CLI process left behind. */
interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
interface RunCliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Written to the process's stdin, which is then closed. */
  readonly input?: string;
  /**
   * Starts it in a session (and process group) of its own. A test that
   * freezes the CLI (SIGSTOP) needs it: should the suite's own process group
   * become orphaned meanwhile (the shell that started the run exits), the
   * kernel sends its stopped members SIGHUP and SIGCONT, which the CLI takes
   * for a second stop signal.
   */
  readonly detached?: boolean;
}

/**
 * The environment of a shell that runs `cnf-admin` as CI runs it: no
 * terminal, no colours, and an embedded database that stops soon after the
 * tests stop using it. The benchmarks start the CLI with it, as their
 * baselines start Node.
 */
function shellEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Run as a user types `cnf-admin`, not as npm (npm test, npx vitest) started it: hints then say `npx cnf-admin`.
  const { npm_command: _command, npm_lifecycle_event: _event, ...env } = process.env;
  return { ...env, CI: 'true', NO_COLOR: '1', CNF_LOCAL_DB_IDLE_SECONDS: '60', ...extra };
}

/**
 * The environment the tests start `cnf-admin` with: {@link shellEnvironment},
 * without `NODE_EXTRA_CA_CERTS`. No test speaks TLS (AWS is mocked or
 * served on 127.0.0.1), and where that variable names a certificate bundle,
 * Node reads it at every start: 30 ms of each of the suite's thousands of
 * spawned commands on this machine.
 */
function cliEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _certificates, ...env } = shellEnvironment();
  return { ...env, ...extra };
}

/** Spawns the real `cnf-admin` binary without waiting for it. */
function spawnCli(args: readonly string[], options: RunCliOptions): ChildProcess {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: cliEnvironment(options.env),
    stdio: 'pipe',
    detached: options.detached === true,
  });
  child.stdin?.end(options.input ?? '');
  return child;
}

/**
 * Kills the process group of a CLI spawned `detached` (the CLI and what it
 * started in its group), whatever became of it: a test that fails before
 * its CLI ends leaves nothing running past the suite.
 */
function killDetached(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Collects a spawned CLI's output until it exits. */
function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Runs the real `cnf-admin` binary to its end. */
function runCli(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  return finished(spawnCli(args, options));
}

/** A `cnf-admin` that runs, whose output can be waited for. */
interface WatchedCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves once stdout and stderr together show `text` (`times` times); rejects, with the output, when the CLI ends without it. */
  seen(text: string, times?: number): Promise<void>;
  /** What stdout and stderr have shown so far, as they came. */
  output(): string;
}

/** How many times `text` occurs in `output`. */
function occurrences(output: string, text: string): number {
  return output.split(text).length - 1;
}

/** Starts `cnf-admin` and collects its output, so that a test waits for what it prints, never for a time. */
function startWatched(args: readonly string[], options: RunCliOptions): WatchedCli {
  const child = spawnCli(args, options);
  let output = '';
  const waiting: { text: string; times: number; resolve: () => void }[] = [];
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const wait of waiting.filter((entry) => occurrences(output, entry.text) >= entry.times)) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const result = finished(child);
  return {
    child,
    result,
    output: () => output,
    seen: (text, times = 1) =>
      occurrences(output, text) >= times
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiting.push({ text, times, resolve });
            void result.then(() => reject(new Error(`The CLI ended without printing ${JSON.stringify(text)}:\n${output}`)));
          }),
  };
}

/** Resolves once a spawned process's stdout (or `stream`) has shown `text`: an event to wait for, not a time. */
function outputShows(child: ChildProcess, text: string, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    child[stream]?.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
  });
}

export { CLI_BIN, cliEnvironment, finished, killDetached, outputShows, REPO_ROOT, runCli, shellEnvironment, spawnCli, startWatched };
export type { CliResult, RunCliOptions, WatchedCli };
