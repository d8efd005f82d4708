import { ExitCode } from './exit-codes.js';
import { constants } from 'node:os';
import type { RunError } from './run.js';

/** The name of a container run's end when ECS stopped its task without cnf-admin asking. */
const TASK_INTERRUPTED_ERROR = 'TaskInterruptedError';

const IMAGE_PULL_HINT =
  "Check that the release's image is in ECR and that the task's execution role may pull it; a timeout means the task's subnets have no route to ECR (a NAT gateway, or VPC endpoints).";

const RESOURCE_INITIALIZATION_HINT =
  "The task's subnets need a route to ECR, Secrets Manager and CloudWatch Logs (a NAT gateway, or VPC endpoints), and its execution role the right to read what the task definition names.";

const FAILED_TO_START_HINT = "Check the task's subnets (free IP addresses, a route to ECR) and security groups.";

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
  const said = saidOnce(reason, containerReason);
  if (/OutOfMemory/i.test(containerReason) || /OutOfMemory/i.test(reason)) {
    return fail(ExitCode.SOFTWARE, 'OutOfMemoryError', `The task ran out of memory (${task.memory ?? '?'} MiB) and was killed: ${said}`);
  }
  if (/CannotPullContainer|pull image/i.test(said)) {
    return fail(ExitCode.UNAVAILABLE, 'ImagePullError', `The task's image could not be pulled: ${sentence(said)} ${IMAGE_PULL_HINT}`);
  }
  if (task.stopCode === 'TaskFailedToStart') {
    const hint = /ResourceInitialization/i.test(said) ? RESOURCE_INITIALIZATION_HINT : FAILED_TO_START_HINT;
    return fail(ExitCode.UNAVAILABLE, 'TaskFailedToStartError', `The task failed to start: ${sentence(said || 'no reason given')} ${hint}`);
  }
  if (task.stopCode === 'UserInitiated') {
    return fail(ExitCode.INTERRUPTED, 'TaskStoppedError', `The task was stopped: ${said || 'by StopTask'}`);
  }
  if (task.stopCode === 'SpotInterruption' || task.stopCode === 'TerminationNotice' || task.stopCode === 'ServiceSchedulerInitiated') {
    return fail(ExitCode.SOFTWARE, TASK_INTERRUPTED_ERROR, `Fargate stopped the task (${task.stopCode}): ${said}`);
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
 * Whether a container run ended because ECS stopped its task without
 * cnf-admin asking (70 `TaskInterruptedError`): a stop from outside is
 * final, so its exit code is never the task's own, whatever it returned.
 *
 * @example
 * stoppedByEcs({ exitCode: 70, error: { name: 'TaskInterruptedError', message: '…' } }); // true
 */
function stoppedByEcs(result: { readonly error?: { readonly name: string } | undefined }): boolean {
  return result.error?.name === TASK_INTERRUPTED_ERROR;
}

/**
 * How long ECS may not know a task it has just started: its reads are
 * eventually consistent, so a task DescribeTasks answers MISSING within this
 * time of its start may still be starting, not gone.
 */
const NEW_TASK_READ_LAG_MS = 60_000;

/**
 * How a container run ended whose task ECS no longer knows (DescribeTasks
 * answers it MISSING: stopped long ago, or never there) and which never
 * recorded its end: lost, 70 `RunLostError`.
 */
function outcomeOfMissingTask(taskArn: string): ContainerOutcome {
  return fail(ExitCode.SOFTWARE, 'RunLostError', `ECS no longer knows task ${taskArn}, and the run never recorded its end.`);
}

/**
 * What a container run's ledger record says of the stop, read when its
 * container got SIGTERM: asked through `cnf-admin stop` (by whom, when), not
 * asked, or not known because the record could not be read in time (why).
 */
type StopAsked = { readonly asked: true; readonly by: string; readonly at: string } | { readonly asked: false; readonly unread?: string };

/**
 * How a container run ended whose container got SIGTERM, as the run records
 * it: a stop asked through `cnf-admin stop` is an interrupt, 130
 * `InterruptedError` naming who asked; any other (a Fargate Spot reclaim,
 * maintenance, a StopTask from the console or `aws ecs stop-task`, or a stop
 * the record could not tell of in time) is ECS's, 70 `TaskInterruptedError`,
 * as {@link outcomeOfStoppedTask} tells it of a run that could not record its end.
 *
 * @param ended - how the task ended once asked to stop: `stopped`, `ended with exit 0`
 */
function outcomeOfTermination(stop: StopAsked, ended: string): ContainerOutcome {
  if (stop.asked) {
    return fail(
      ExitCode.INTERRUPTED,
      'InterruptedError',
      `The run was stopped by ${stop.by} with cnf-admin stop (${stop.at}); the task was asked to stop and ${ended}.`,
    );
  }
  const unread =
    stop.unread === undefined ? '' : ` Whether cnf-admin asked for the stop could not be read: ${stop.unread.replace(/\.$/, '')}.`;
  return fail(
    ExitCode.SOFTWARE,
    TASK_INTERRUPTED_ERROR,
    `ECS stopped the task (a Fargate Spot reclaim, maintenance, or a StopTask outside cnf-admin); the task was asked to stop and ${ended}.${unread}`,
  );
}

/**
 * A stop's outcome told without ECS's reasons, free text that may quote a
 * secure value: its error's name and ECS's stop code (a word of ECS's own
 * vocabulary), and `why` they cannot be shown.
 *
 * @example
 * withoutEcsWords(outcome, 'EssentialContainerExited', 'and the config that names them could not be read');
 * // "The task ended: TaskCrashedError (EssentialContainerExited). ECS's reason is not shown: it may quote a secure value, and the config …"
 */
function withoutEcsWords(outcome: ContainerOutcome, stopCode: string | undefined, why: string): ContainerOutcome {
  if (outcome.error === undefined) return outcome;
  const code = stopCode === undefined ? '' : ` (${stopCode})`;
  const message = `The task ended: ${outcome.error.name}${code}. ECS's reason is not shown: it may quote a secure value, ${why}.`;
  return { ...outcome, error: { name: outcome.error.name, message } };
}

/**
 * Why ECS's words cannot be shown where the stage's config could not be
 * read: the secure values to take out of them are not known. `problem` is
 * the config loader's message, which quotes no value.
 *
 * @example
 * configUnreadableWhy('Cannot read the parameter set /notes/prod/: AccessDenied.');
 * // "the stage's config, which names them, could not be read (Cannot read the parameter set /notes/prod/: AccessDenied)"
 */
function configUnreadableWhy(problem: string): string {
  return `the stage's config, which names them, could not be read (${problem.replace(/[.\s]+$/, '')})`;
}

/** The stopped reason and the container's, each said once: ECS often gives the same text in both. */
function saidOnce(reason: string, containerReason: string): string {
  if (reason.includes(containerReason)) return reason;
  if (containerReason.includes(reason)) return containerReason;
  return `${reason}; ${containerReason}`;
}

/** Text ended as a sentence, so that a hint may follow it. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function fail(exitCode: number, name: string, message: string): ContainerOutcome {
  return { exitCode, error: { name, message } };
}

export {
  configUnreadableWhy,
  NEW_TASK_READ_LAG_MS,
  outcomeOfMissingTask,
  outcomeOfStoppedTask,
  outcomeOfTermination,
  stoppedByEcs,
  withoutEcsWords,
};
export type { ContainerOutcome, StopAsked, StoppedTask };
