import { ExitCode } from './exit-codes.js';
import { constants } from 'node:os';
import type { RunError } from './run.js';

/**
 * What ECS tells of a stopped task (the fields of DescribeTasks' `Task` that
 * say how it ended), so that the CLI and the admin function read it alike.
 */
interface StoppedTask {
  readonly stopCode?: string | undefined;
  readonly stoppedReason?: string | undefined;
  readonly memory?: string | undefined;
  readonly containers?:
    | readonly { readonly name?: string | undefined; readonly exitCode?: number | undefined; readonly reason?: string | undefined }[]
    | undefined;
}

/** How a container task ended, when no run result of its own says so. */
interface ContainerOutcome {
  readonly exitCode: number;
  readonly error?: RunError;
}

/**
 * What a stopped task's stop code, stopped reason and container tell,
 * mapped onto the exit codes of the README's table:
 *
 * | how it stopped | exit | error name |
 * | --- | --- | --- |
 * | out of memory (the container was killed for its memory use) | 70 | `OutOfMemoryError` |
 * | the image could not be pulled (`CannotPullContainerError`) | 69 | `ImagePullError` |
 * | it could not start otherwise (`ResourceInitializationError`, ...) | 69 | `TaskFailedToStartError` |
 * | stopped by someone (StopTask: `cnf-admin stop`, the console, a deploy) | 130 | `TaskStoppedError` |
 * | Fargate reclaimed it (Spot interruption, maintenance) | 70 | `TaskInterruptedError` |
 * | its process was killed by a signal (exit 128 + the signal; 130 is the run's own interrupt) | 70 | `TaskKilledError` |
 * | the container exited with a code | that code | - |
 * | no exit code at all | 70 | `TaskCrashedError` |
 *
 * (No capacity to start it shows at RunTask, before any task exists: 75.)
 */
function outcomeOfStoppedTask(task: StoppedTask, containerName: string): ContainerOutcome {
  const container = task.containers?.find((candidate) => candidate.name === containerName) ?? task.containers?.[0];
  const reason = task.stoppedReason ?? '';
  const containerReason = container?.reason ?? '';
  const said = [reason, containerReason].filter((text) => text !== '').join('; ');
  if (/OutOfMemory/i.test(containerReason) || /OutOfMemory/i.test(reason)) {
    return fail(ExitCode.SOFTWARE, 'OutOfMemoryError', `The task ran out of memory (${task.memory ?? '?'} MiB) and was killed: ${said}`);
  }
  if (/CannotPullContainer|pull image/i.test(said)) {
    return fail(ExitCode.UNAVAILABLE, 'ImagePullError', `The task's image could not be pulled: ${said}`);
  }
  if (task.stopCode === 'TaskFailedToStart') {
    return fail(ExitCode.UNAVAILABLE, 'TaskFailedToStartError', `The task failed to start: ${said || 'no reason given'}`);
  }
  if (task.stopCode === 'UserInitiated') {
    return fail(ExitCode.INTERRUPTED, 'TaskStoppedError', `The task was stopped: ${said || 'by StopTask'}`);
  }
  if (task.stopCode === 'SpotInterruption' || task.stopCode === 'TerminationNotice' || task.stopCode === 'ServiceSchedulerInitiated') {
    return fail(ExitCode.SOFTWARE, 'TaskInterruptedError', `Fargate stopped the task (${task.stopCode}): ${said}`);
  }
  const code = container?.exitCode;
  if (code !== undefined && code > 128 && code !== ExitCode.INTERRUPTED) {
    const signal = Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] ?? `signal ${code - 128}`;
    return fail(
      ExitCode.SOFTWARE,
      'TaskKilledError',
      `The task's process was killed by ${signal} (exit ${code}) before it recorded its end: ${said || 'no reason given'}`,
    );
  }
  if (code !== undefined) return { exitCode: code };
  return fail(
    ExitCode.SOFTWARE,
    'TaskCrashedError',
    `The task stopped without an exit code: ${said || task.stopCode || 'no reason given'}`,
  );
}

/**
 * How a container run ended whose task ECS no longer knows (DescribeTasks
 * answers it MISSING: stopped long ago, or never there) and which never
 * recorded its end: lost, 70 `RunLostError`.
 */
function outcomeOfMissingTask(taskArn: string): ContainerOutcome {
  return fail(ExitCode.SOFTWARE, 'RunLostError', `ECS no longer knows task ${taskArn}, and the run never recorded its end.`);
}

function fail(exitCode: number, name: string, message: string): ContainerOutcome {
  return { exitCode, error: { name, message } };
}

export { outcomeOfMissingTask, outcomeOfStoppedTask };
export type { ContainerOutcome, StoppedTask };
