import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../../core/exit-codes.js';
import type { ConsoleSession, InvokeOptions, RunFrame } from '../../core/platform.js';
import { newRunId, type AdminEvent, type RunResult } from '../../core/run.js';
import { CONSOLE_TASK } from '../../core/task-catalog.js';
import { toolRoot } from '../../core/tool-root.js';
import { adminEnvironment } from './lambda-environment.js';
import { runLogFile, type LocalPaths } from './local-paths.js';
import { mergedLines } from './merged-lines.js';
import { recordRunEnd } from './record-run-end.js';

/** What a local console session runs against. */
interface LocalConsoleTarget {
  readonly app: string;
  readonly paths: LocalPaths;
  readonly release: string;
  readonly bundleDir: string;
  readonly caller: string;
  readonly functionTimeoutSeconds: number;
}

/**
 * A console session on the local stage: one long-lived Node process that
 * loads the release's admin entry once, so that everything an input declares
 * (functions, database handles, class instances) stays for the next. Each
 * input is still a run of its own: a run id, a ledger record, a log file.
 */
class LocalConsoleSession implements ConsoleSession {
  readonly #session = `console-${newRunId()}`;
  readonly #lines: AsyncIterator<string>;
  readonly #exited: Promise<void>;
  #ended = false;

  private constructor(
    private readonly target: LocalConsoleTarget,
    private readonly child: ChildProcessWithoutNullStreams,
    /** Marks the end of each evaluation's output; no task output will contain it by chance. */
    private readonly token: string,
  ) {
    this.#lines = mergedLines([child.stdout, child.stderr])[Symbol.asyncIterator]();
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    void this.#exited.then(() => {
      this.#ended = true;
    });
  }

  /** Starts the session's process. */
  static open(target: LocalConsoleTarget): LocalConsoleSession {
    const token = randomBytes(8).toString('hex');
    const child = spawn(process.execPath, ['--enable-source-maps', join(toolRoot(), 'dist', 'local-runner.mjs'), '--session', token], {
      cwd: target.bundleDir,
      env: {
        ...adminEnvironment(target.app, target.paths, target.release, target.bundleDir, target.functionTimeoutSeconds),
        // The local stage is your own machine: its console is on.
        CNF_CONSOLE_ENABLED: 'true',
      },
      stdio: 'pipe',
      detached: true,
    });
    return new LocalConsoleSession(target, child, token);
  }

  async *evaluate(code: string, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
    if (this.#ended) throw new Error('The console session has ended; start a new one.');
    const event: AdminEvent & { runId: string } = {
      task: CONSOLE_TASK,
      args: { code, session: this.#session },
      runId: newRunId(),
      source: 'cli',
      caller: this.target.caller,
    };
    await mkdir(this.target.paths.logs, { recursive: true });
    const logFile = runLogFile(this.target.paths, event.runId);
    const log = createWriteStream(logFile, { flags: 'a' });
    const onInterrupt = (): void => void this.child.kill('SIGINT');
    options.signal?.addEventListener('abort', onInterrupt, { once: true });
    const started = Date.now();
    try {
      this.child.stdin.write(`${JSON.stringify({ event, log: logFile })}\n`);
      const marker = `\0cnf:${this.token}:result `;
      for (;;) {
        const next = await this.#lines.next();
        if (next.done === true) {
          const crashed = this.#crashed(event, started);
          await recordRunEnd(this.target.paths, crashed);
          yield { type: 'result', result: crashed };
          return;
        }
        if (next.value.startsWith(marker)) {
          yield { type: 'result', result: JSON.parse(next.value.slice(marker.length)) as RunResult };
          return;
        }
        log.write(`${next.value}\n`);
        yield { type: 'log', line: next.value };
      }
    } finally {
      options.signal?.removeEventListener('abort', onInterrupt);
      await new Promise((resolve) => log.end(resolve));
    }
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await this.#exited;
  }

  #crashed(event: AdminEvent & { runId: string }, started: number): RunResult {
    return {
      runId: event.runId,
      task: event.task,
      release: this.target.release,
      exitCode: ExitCode.SOFTWARE,
      durationMs: Date.now() - started,
      error: {
        name: 'RunCrashedError',
        message: 'The console process ended during the evaluation; its last lines say why. Start a new console.',
      },
    };
  }
}

export { LocalConsoleSession };
export type { LocalConsoleTarget };
