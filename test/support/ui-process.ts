import type { ChildProcess } from 'node:child_process';
import { finished, spawnCli, type CliResult } from './cli.js';

/** A running `cnf-admin ui`, spawned from the real binary. */
interface UiProcess {
  /** The address it printed, with the token. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly token: string;
  readonly child: ChildProcess;
  /** What it has written to stderr so far. */
  output(): string;
  /** Sends Ctrl-C (SIGINT) and resolves to how it ended. */
  stop(): Promise<CliResult>;
}

/**
 * Spawns `cnf-admin ui --no-open` with `args` in `cwd` and waits for the
 * address on its stdout.
 *
 * @throws Error with its output when it ends before printing one.
 */
async function startUi(cwd: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<UiProcess> {
  const child = spawnCli(['ui', '--no-open', ...args], { cwd, env });
  const done = finished(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = /^(http:\/\/\S+)\n/m.exec(stdout)?.[1];
      if (line !== undefined) resolve(line);
    });
    void done.then((result) => reject(new Error(`cnf-admin ui ended with ${result.code}: ${result.stderr}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    child,
    output: () => stderr,
    stop: () => {
      child.kill('SIGINT');
      return done;
    },
  };
}

export { startUi };
export type { UiProcess };
