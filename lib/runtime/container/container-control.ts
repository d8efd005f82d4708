import {
  configUnreadableWhy,
  NEW_TASK_READ_LAG_MS,
  outcomeOfMissingTask,
  outcomeOfStoppedTask,
  withoutEcsWords,
  type ContainerOutcome,
  type StoppedTask,
} from '../../core/container-outcome.js';
import { readContainerSettings, startedByOf } from '../../core/container-run.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { RefusalName } from '../../core/refusal.js';
import { RUN_ENDED, type RunEndedFields } from '../../core/run-log.js';
import { isValidRunId, type RunRecord } from '../../core/run.js';
import { SETTLE_RUN_TASK, STOP_RUN_TASK } from '../../core/task-catalog.js';
import type { RunLedger } from '../ledger/run-ledger.js';
import { createRunLogger } from '../logger.js';
import type { SecretRedactor } from '../redact-secrets.js';
import { ContainerGate } from './container-gate.js';
import { recordStopRequest } from './stop-request.js';
import { readCnfEnvironment } from '../../core/cnf-environment.js';

/** How long after its time limit a container run may still be starting (image pull, provisioning) before it counts as lost. */
const CONTAINER_START_MARGIN_SECONDS = 15 * 60;

/** What a control task (`cnf:stop`, `cnf:settle`) answers: its output, or the refusal that says why not. */
type ControlAnswer =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly exitCode: number; readonly name: RefusalName; readonly message: string };

/**
 * The admin function's container gate, from its environment.
 *
 * @returns the gate; or why there is none, as a refusal's message
 */
function gateFromEnvironment(env: NodeJS.ProcessEnv = process.env): ContainerGate | string {
  const settings = readContainerSettings(env);
  if (settings === undefined) {
    return `Stage ${readCnfEnvironment(env).stage ?? '?'} runs no container tasks: its AdminApp has no containerTasks (the VPC and security groups they run with); nothing ran.`;
  }
  return typeof settings === 'string'
    ? `The admin function cannot start container tasks: ${settings}; nothing ran.`
    : new ContainerGate(settings);
}

const refuse = (exitCode: number, name: RefusalName, message: string): ControlAnswer => ({ ok: false, exitCode, name, message });

/** The run id a control task's args name, or the refusal that says it is missing. */
function runIdOf(task: string, args: Readonly<Record<string, unknown>>): string | ControlAnswer {
  const { runId } = args;
  if (isValidRunId(runId)) return runId;
  return refuse(ExitCode.USAGE, 'InvalidArgs', `${task} takes args {"runId": "<run id>"}, got: ${JSON.stringify(args)}`);
}

/** A control task's run: the ledger, the gate, who asks, where to log. */
interface ControlRun {
  readonly task: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly caller: string;
  readonly ledger: RunLedger;
  readonly gate: ContainerGate;
  readonly log: ReturnType<typeof createRunLogger>;
  /**
   * The stage's secrets at a config version (else the live one), read when
   * needed: what ECS says of a task may quote one. Where that config cannot
   * be read, no secret is known to take out: why it cannot (the config
   * loader's message, which quotes no value).
   */
  readonly redactor: (configVersion: number | undefined) => Promise<SecretRedactor | ConfigUnreadable>;
}

/** Why the config whose secure values a control task would take out of ECS's words could not be read. */
interface ConfigUnreadable {
  readonly unreadable: string;
}

/**
 * `cnf:stop` (what `cnf-admin stop <runId>` sends): stops the ECS task of a
 * container run that is still going, its reason naming the caller. It first
 * records on the run who asked and when (`stopRequestedBy`,
 * `stopRequestedAt`); the container's runner sees SIGTERM, reads that, and
 * records the run as stopped (130, naming who). The task must be the run's
 * own: in the stage's cluster, started for that run id (its `startedBy`);
 * any other is refused (77), nothing stopped.
 */
async function stopContainerRun(run: ControlRun): Promise<ControlAnswer> {
  const runId = runIdOf(run.task, run.args);
  if (typeof runId !== 'string') return runId;
  const record = await run.ledger.get(runId);
  if (record === undefined) return refuse(ExitCode.USAGE, 'UnknownRun', `No run ${runId} in the ledger; nothing stopped.`);
  if (record.endedAt !== undefined) {
    return refuse(
      ExitCode.USAGE,
      'RunNotStoppable',
      `Run ${runId} already ended (${record.endedAt}, exit ${record.exitCode}); nothing stopped.`,
    );
  }
  if (record.ecsTask === undefined) {
    return refuse(
      ExitCode.USAGE,
      'RunNotStoppable',
      `Run ${runId} (${record.task}) runs in the admin function, not in a container: it ends at its timeout; nothing stopped.`,
    );
  }
  // The record names the task; ECS says whose it is. Only a task started for this very run is stopped:
  // never another task of the cluster that a record (an operator may write run records) could name.
  const task = await run.gate.describe(record.ecsTask);
  if (task === undefined || task.startedBy !== startedByOf(runId)) {
    return refuse(
      ExitCode.NO_PERMISSION,
      'RunNotStoppable',
      `ECS task ${record.ecsTask} ${task === undefined ? 'is not in the stage’s cluster' : 'was not started for this run'}, so run ${runId} cannot stop it; nothing stopped.`,
    );
  }
  // Recorded before StopTask: the container, on SIGTERM, reads it to tell this stop (130) from a Fargate Spot reclaim (70).
  if (!(await recordStopRequest(run.ledger, record, run.caller))) {
    const ended = await run.ledger.get(runId);
    return refuse(
      ExitCode.USAGE,
      'RunNotStoppable',
      `Run ${runId} already ended (${ended?.endedAt ?? 'just now'}, exit ${ended?.exitCode ?? '?'}); nothing stopped.`,
    );
  }
  const reason = `Stopped by ${run.caller} with cnf-admin stop ${runId}`;
  await run.gate.stop(record.ecsTask, reason);
  run.log.info(`${reason}: ECS task ${record.ecsTask} is told to stop`, { stoppedRun: runId });
  return { ok: true, output: { runId, stoppedTasks: [record.ecsTask] } };
}

/**
 * `cnf:settle`: the end of a container run whose task stopped without
 * recording it (killed for out of memory, an image that could not be pulled,
 * SIGKILL): ECS says how the task stopped, and the ledger records it, with
 * the `Run ended` line that ends `logs --follow`; ECS's reasons are recorded
 * without the stage's secrets. A run still going, one
 * that recorded its own end, or one whose task ECS does not know yet (a
 * minute from the run's start), is answered as it is.
 *
 * @returns the run's record as it now stands
 */
async function settleContainerRun(run: ControlRun): Promise<ControlAnswer> {
  const runId = runIdOf(run.task, run.args);
  if (typeof runId !== 'string') return runId;
  const record = await run.ledger.get(runId);
  if (record === undefined) return refuse(ExitCode.USAGE, 'UnknownRun', `No run ${runId} in the ledger.`);
  if (record.endedAt !== undefined || record.ecsTask === undefined) return { ok: true, output: record };
  const task = await run.gate.describe(record.ecsTask);
  if (task !== undefined && task.lastStatus !== 'STOPPED') return { ok: true, output: record };
  // A task ECS does not know yet, so soon after its start, may be starting: only a later MISSING means it is gone.
  if (task === undefined && Date.now() - Date.parse(record.startedAt) < NEW_TASK_READ_LAG_MS) return { ok: true, output: record };
  const outcome =
    task === undefined
      ? outcomeOfMissingTask(record.ecsTask)
      : await redactedOutcome(outcomeOfStoppedTask(task, run.gate.settings.containerName), task, {
          where: { cluster: run.gate.settings.cluster, taskArn: record.ecsTask },
          redactor: () => run.redactor(record.configVersion),
        });
  const endedAt = (task?.stoppedAt ?? new Date()).toISOString();
  const stopped = task?.stopCode === 'UserInitiated';
  const ended: RunRecord = {
    ...record,
    endedAt,
    exitCode: outcome.exitCode,
    durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(record.startedAt)),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    ...(stopped && record.interruptedAt === undefined ? { interruptedAt: endedAt } : {}),
  };
  await run.ledger.finish(ended);
  // The run's own closing line, so that `cnf-admin logs --follow` ends as for a run that recorded its end.
  createRunLogger({ runId, task: record.task, release: record.release }).info(RUN_ENDED, {
    exitCode: outcome.exitCode,
    durationMs: ended.durationMs ?? 0,
    ...(ended.interruptedAt === undefined ? {} : { interruptedAt: ended.interruptedAt }),
  } satisfies RunEndedFields);
  return { ok: true, output: ended };
}

/**
 * A stopped task's outcome as it is recorded: ECS's reasons are free text (a
 * container's reason may quote its environment), told without the secure
 * values of the config the run read, and not at all when that config cannot
 * be read: then why not, and where ECS's own words can still be read.
 */
async function redactedOutcome(
  told: ContainerOutcome,
  task: StoppedTask,
  secrets: {
    readonly where: { readonly cluster: string; readonly taskArn: string };
    readonly redactor: () => Promise<SecretRedactor | ConfigUnreadable>;
  },
): Promise<ContainerOutcome> {
  if (told.error === undefined) return told;
  const redactor = await secrets.redactor();
  if ('unreadable' in redactor) {
    const { cluster, taskArn } = secrets.where;
    return withoutEcsWords(
      told,
      task.stopCode,
      `and ${configUnreadableWhy(redactor.unreadable)}; read them with: aws ecs describe-tasks --cluster ${cluster} --tasks ${taskArn}, while ECS keeps the stopped task (about an hour)`,
    );
  }
  return { ...told, error: { ...told.error, message: redactor.text(told.error.message) } };
}

/** The control task an event names, as a function, or undefined when it names none. */
function controlTaskOf(task: string): ((run: ControlRun) => Promise<ControlAnswer>) | undefined {
  if (task === STOP_RUN_TASK) return stopContainerRun;
  return task === SETTLE_RUN_TASK ? settleContainerRun : undefined;
}

export { CONTAINER_START_MARGIN_SECONDS, controlTaskOf, gateFromEnvironment };
export type { ConfigUnreadable, ControlAnswer, ControlRun };
