import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The built binary, as npm links it: `bin/cnf-admin.mjs`. */
const CLI_BIN = fileURLToPath(new URL('../../bin/cnf-admin.mjs', import.meta.url));

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
}

/*
 * The CLI runs as CI runs it: no terminal, no colours, and an embedded
 * database that stops soon after the tests stop using it.
 */
function cliEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Run as from a shell, whether vitest itself was started by npx or not.
  const { npm_lifecycle_event: _npx, ...env } = process.env;
  return { ...env, CI: 'true', NO_COLOR: '1', CNF_LOCAL_DB_IDLE_SECONDS: '60', ...extra };
}

/** Spawns the real `cnf-admin` binary without waiting for it. */
function spawnCli(args: readonly string[], options: RunCliOptions): ChildProcess {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: options.cwd, env: cliEnvironment(options.env), stdio: 'pipe' });
  child.stdin?.end(options.input ?? '');
  return child;
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

export { CLI_BIN, cliEnvironment, finished, REPO_ROOT, runCli, spawnCli };
export type { CliResult, RunCliOptions };
