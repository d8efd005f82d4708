/**
 * The entry of a container task (ECS Fargate): runs one admin event of the
 * bundle it sits beside, through the admin handler, as the admin function
 * would, and exits with the run's exit code.
 *
 * The image holds the bundle (`LAMBDA_TASK_ROOT`, `/var/task`) and this one
 * self-contained file. Before anything runs, the runner computes the
 * bundle's release id from its files and checks it against `CNF_RELEASE`
 * (exit 78 on a mismatch, nothing run). The event comes as JSON in
 * `CNF_ADMIN_EVENT` (or the first argument), the time limit in
 * `CNF_TIME_LIMIT_SECONDS`; the admin function's RunTask override sets both,
 * and `CNF_RUN_CLAIMED`: it has claimed the run in the ledger for this task,
 * which takes the claim over. Then the handler does what it does on Lambda:
 * args checked (64), the run id claimed in the ledger (a second start of
 * the same run id runs nothing), the lock
 * taken with its heartbeat, the parameter set read, the same structured log
 * lines to stdout (the awslogs driver sends them to the admin log group).
 *
 * The last line is `Run result`, the run result as the admin function
 * would return it, which `cnf-admin invoke` reads once the task has stopped.
 *
 * SIGTERM (StopTask, or ECS reclaiming the task) and SIGINT fire the task's
 * `signal`, and the run ends as the stop was, whatever the task returns
 * after it: the handler reads the run's record, where `cnf-admin stop`
 * writes that it asked before its StopTask. Asked so: 130, naming who;
 * otherwise ECS stopped the task (a Fargate Spot reclaim, maintenance): 70
 * `TaskInterruptedError`. The container cannot learn the stop code itself.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CNF_VARIABLES, readCnfEnvironment, writeCnfEnvironment } from '../core/cnf-environment.js';
import { CONTAINER_LOG_STREAM_PREFIX, RUN_RESULT_MESSAGE } from '../core/container-run.js';
import { ExitCode } from '../core/exit-codes.js';
import { CONTAINER_DEFAULT_TIMEOUT_SECONDS, CONTAINER_TIMEOUT_MARGIN_SECONDS } from '../core/task-runtime.js';
import type { AdminHandler } from './admin-handler.js';
import { releaseOfDirectory } from './container/bundle-release.js';
import { readContainerEvent } from './container/container-event.js';

const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals): void => {
  runnerLog('WARN', `Received ${signal}: the task is asked to stop`);
  // Who stopped the task is not known yet: the run tells it at its end, from its ledger record.
  interrupt.abort(`the container got ${signal}`);
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

let runId: string | undefined;

/** One JSON line, as the run's own log lines are, carrying the run id so that `cnf-admin logs` finds it. */
function runnerLog(level: 'INFO' | 'WARN' | 'ERROR', message: string, extra: Record<string, unknown> = {}): void {
  const line = { level, message, timestamp: new Date().toISOString(), service: readCnfEnvironment().app ?? 'cnf-admin', runId, ...extra };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The ECS task's ARN, from the task metadata endpoint, when the runner runs in ECS. */
async function taskArn(): Promise<string | undefined> {
  const endpoint = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (endpoint === undefined) return undefined;
  try {
    const response = await fetch(`${endpoint}/task`, { signal: AbortSignal.timeout(2_000) });
    return ((await response.json()) as { TaskARN?: string }).TaskARN;
  } catch (error) {
    runnerLog('WARN', `Cannot read the task metadata: ${(error as Error).message}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const read = readContainerEvent(process.env, process.argv.slice(2));
  if (!read.ok) {
    runnerLog('ERROR', read.message);
    return ExitCode.USAGE;
  }
  runId = read.runId;
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? '/var/task';
  const environment = readCnfEnvironment();
  const expected = environment.release;
  const actual = await releaseOfDirectory(taskRoot);
  if (actual !== expected) {
    runnerLog(
      'ERROR',
      `The image holds release ${actual}, but the task definition serves ${expected ?? `(no ${CNF_VARIABLES.release})`}; nothing ran.`,
      {
        exitCode: ExitCode.RELEASE_MISMATCH,
      },
    );
    return ExitCode.RELEASE_MISMATCH;
  }
  const arn = await taskArn();
  const { logGroup, logStreamPrefix } = environment;
  if (arn !== undefined && logGroup !== undefined) {
    // Where the ledger says the run's log is: the awslogs stream of this task.
    const stream = `${logStreamPrefix ?? CONTAINER_LOG_STREAM_PREFIX}/${arn.split('/').pop() ?? ''}`;
    writeCnfEnvironment(process.env, { runLog: `${logGroup}:${stream} (ECS task ${arn})` });
  }
  const limitSeconds = environment.timeLimitSeconds ?? CONTAINER_DEFAULT_TIMEOUT_SECONDS + CONTAINER_TIMEOUT_MARGIN_SECONDS;
  const deadline = started + limitSeconds * 1000;
  // The admin handler runs a container task here, and refuses it in the admin function.
  writeCnfEnvironment(process.env, { containerRunner: true });
  const { handler } = (await import(pathToFileURL(join(taskRoot, 'admin.mjs')).href)) as { handler: AdminHandler };
  const result = await handler(read.event, {
    awsRequestId: arn?.split('/').pop() ?? randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    interrupt: interrupt.signal,
    // The admin function claimed the run before it started this task; a stop (SIGTERM) ends the run, as cnf-admin's or ECS's.
    claimedRun: environment.runClaimed === true,
    stopIsFinal: true,
  });
  // The whole run result (output, error, or why the event was refused) as the last line: the CLI reads it after the task stops.
  runnerLog(result.exitCode === ExitCode.OK ? 'INFO' : 'ERROR', RUN_RESULT_MESSAGE, { result });
  return result.exitCode;
}

function flushed(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}

main().then(
  // Open database pools and timers must not keep a finished task alive.
  async (code) => {
    await flushed();
    process.exit(code);
  },
  async (error: unknown) => {
    runnerLog('ERROR', `The container runner failed: ${(error as Error).stack ?? String(error)}`);
    await flushed();
    process.exit(ExitCode.SOFTWARE);
  },
);
