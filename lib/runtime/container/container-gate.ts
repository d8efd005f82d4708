import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import {
  clientTokenOf,
  containerOverrideEnvironment,
  startedByOf,
  type ContainerSettings,
  type ContainerStarted,
} from '../../core/container-run.js';
import { configUnreadableWhy } from '../../core/container-outcome.js';
import { ExitCode } from '../../core/exit-codes.js';
import { readCnfEnvironment } from '../../core/cnf-environment.js';
import type { AdminEvent, RunError } from '../../core/run.js';
import { isAccessDeniedName, isThrottlingName } from '../aws-error-names.js';

/**
 * How the gate puts ECS's own words into what it says of a start ECS
 * refused (a failure's reason and detail, an error's message): free text,
 * which may quote a secure value, so the caller decides what of it is told.
 */
type EcsWords = (said: string) => string;

/**
 * ECS's words left out: where the config that names the stage's secure
 * values could not be read, none of them is known to take out. What is told
 * instead says why that config could not be read (`problem`, the config
 * loader's message, which quotes no value) and what to do, since RunTask's
 * failures cannot be read again later.
 *
 * @example
 * withheldEcsWords('Cannot read the parameter set /notes/prod/: AccessDenied')('ATTRIBUTE TOKEN=s3cret');
 * // "[ECS's words are not shown: …, could not be read (Cannot read the parameter set /notes/prod/: AccessDenied). Mend that, …]"
 */
function withheldEcsWords(problem: string): EcsWords {
  return () =>
    `[ECS's words are not shown: they may quote a secure value, and ${configUnreadableWhy(problem)}. Mend that, and send the same invoke again: ECS's words are then told]`;
}

/** A container task's overrides may hold at most 8 KiB (ECS's limit), the event included. */
const OVERRIDES_MAX_BYTES = 8192;

/** Why a container run did not start: the exit code and error its run ends with. */
interface StartFailure {
  readonly exitCode: number;
  readonly error: RunError;
  /**
   * How the start ended without a task known to run, so that a retry of the
   * run id may start it: `answered` (RunTask answered failures: its client
   * token is spent), `failed` (RunTask failed: its token started nothing),
   * `unknown` (RunTask failed with a 5xx, timed out, or answered what could
   * not be read: a task may have started; its token is kept, so that a retry
   * finds that task rather than start another, and the task itself takes
   * the run over when it runs). Absent when RunTask was never called.
   */
  readonly refused?: 'answered' | 'failed' | 'unknown';
}

/**
 * The admin function's side of container runs: the only caller of RunTask
 * and StopTask for a stage's admin tasks. It starts its own release's task
 * definition with a fixed override (the validated event, the time limit, the
 * claim), so an operator, who may only send the function an event, cannot
 * run other code with the task role.
 */
class ContainerGate {
  #ecs: ECSClient | undefined;

  /** @param ecs - the ECS client; by default one made on the first call */
  constructor(
    readonly settings: ContainerSettings,
    ecs?: ECSClient,
  ) {
    this.#ecs = ecs;
  }

  /*
   * The ECS SDK loads on the first container call, not with the admin
   * function: a run of any other task (a cold start, every local run) does
   * not pay for it.
   */
  async #sdk(): Promise<{ ecs: ECSClient; commands: typeof import('../vendor/ecs.js') }> {
    const commands = await import('../vendor/ecs.js');
    this.#ecs ??= new commands.ECSClient({});
    return { ecs: this.#ecs, commands };
  }

  /**
   * Starts the run as a Fargate task: RunTask with the run id as its client
   * token (a retried RunTask starts nothing twice) and as its `startedBy`.
   *
   * @param ecsWords - what of ECS's words a refusal tells (they may quote a secure value)
   * @param clientToken - the start's client token, where it is not the run id's (a start ECS refused before)
   * @returns the started task, or why none started: 64 when the event does
   *   not fit in the overrides, 75 when Fargate has no capacity, 69 otherwise
   */
  async start(
    event: AdminEvent & { readonly runId: string },
    timeLimitSeconds: number,
    ecsWords: EcsWords,
    clientToken: string = clientTokenOf(event.runId),
  ): Promise<ContainerStarted | StartFailure> {
    const { settings } = this;
    const environment = containerOverrideEnvironment(event, timeLimitSeconds);
    const size = Buffer.byteLength(JSON.stringify(environment));
    if (size > OVERRIDES_MAX_BYTES - 512) {
      return failure(
        ExitCode.USAGE,
        `The args of ${event.task} take ${size} bytes; a container task's event must fit in RunTask's 8 KiB of overrides. Pass large inputs by reference (an S3 key, a table name).`,
      );
    }
    const { ecs, commands } = await this.#sdk();
    let answer;
    try {
      answer = await ecs.send(
        new commands.RunTaskCommand({
          cluster: settings.cluster,
          taskDefinition: settings.taskDefinition,
          launchType: 'FARGATE',
          count: 1,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...settings.subnets],
              securityGroups: [...settings.securityGroups],
              assignPublicIp: settings.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
          },
          overrides: { containerOverrides: [{ name: settings.containerName, environment }] },
          clientToken,
          startedBy: startedByOf(event.runId),
        }),
      );
    } catch (error) {
      const cause = error as Error & { readonly $metadata?: { readonly httpStatusCode?: number } };
      const said = `${cause.name}: ${ecsWords(sdkMessage(cause.message))}`;
      const status = cause.$metadata?.httpStatusCode;
      // Only a client error ECS answered (4xx, read) says that nothing started; a 5xx, a timeout or an unreadable answer does not.
      if (status === undefined || status < 400 || status >= 500 || /Deserializ/i.test(cause.message)) {
        const stage = readCnfEnvironment().stage ?? '<stage>';
        return failure(
          ExitCode.UNAVAILABLE,
          `ECS did not say whether it started run ${event.runId} (${said}): a task may have started; if so, it takes this run over and runs it. Find out with: cnf-admin runs show ${event.runId} --stage ${stage} (it then shows the run going on, in place of this 69), or aws ecs list-tasks --cluster ${settings.cluster} --started-by ${startedByOf(event.runId)}. To start it, send the same invoke again with --run-id ${event.runId} (the same task and args): ECS's client token starts no second task.`,
          'unknown',
          'ContainerStartUnknown',
        );
      }
      const throttled = isThrottlingName(cause.name);
      return failure(
        throttled ? ExitCode.TEMP_FAIL : ExitCode.UNAVAILABLE,
        `ECS refused to start run ${event.runId} (${said}); nothing started. ${refusalAdvice(cause.name)}`,
        'failed',
      );
    }
    const task = answer.tasks?.[0];
    if (task?.taskArn !== undefined) return { taskArn: task.taskArn, taskDefinition: settings.taskDefinition, cluster: settings.cluster };
    const first = answer.failures?.[0];
    // ECS's reasons may end with a full stop ("Capacity is unavailable at this time."): the message goes on after them.
    const said = [first?.reason?.replace(/[.\s]+$/, ''), first?.detail === undefined ? undefined : `(${first.detail})`].filter(
      (part) => part !== undefined && part !== '',
    );
    const reason = said.length === 0 ? 'no task and no reason' : ecsWords(said.join(' '));
    // What ECS said decides, whatever of it is told.
    if (/capacity|RESOURCE:/i.test(said.join(' '))) {
      return failure(
        ExitCode.TEMP_FAIL,
        `ECS has no capacity for run ${event.runId} now: ${reason}; nothing started. Try again in a few minutes.`,
        'answered',
      );
    }
    return failure(
      ExitCode.UNAVAILABLE,
      `ECS did not start run ${event.runId} (task definition ${settings.taskDefinition}): ${reason}; nothing started. ECS's reason says why (AWS lists them under "API failure reasons"): check cluster ${settings.cluster} and the task definition, which a cdk deploy of the stage makes.`,
      'answered',
    );
  }

  /**
   * Stops the run's task (StopTask: SIGTERM, then SIGKILL after the container's stop timeout), saying who and why.
   *
   * @throws EcsCallError when ECS refused or failed the call.
   */
  async stop(taskArn: string, reason: string): Promise<void> {
    const { ecs, commands } = await this.#sdk();
    await ecsCall('StopTask', () =>
      ecs.send(new commands.StopTaskCommand({ cluster: this.settings.cluster, task: taskArn, reason: reason.slice(0, 255) })),
    );
  }

  /**
   * The task as DescribeTasks tells it, or undefined when ECS no longer knows it.
   *
   * @throws EcsCallError when ECS refused or failed the call.
   */
  async describe(taskArn: string): Promise<Task | undefined> {
    const { ecs, commands } = await this.#sdk();
    const answer = await ecsCall('DescribeTasks', () =>
      ecs.send(new commands.DescribeTasksCommand({ cluster: this.settings.cluster, tasks: [taskArn] })),
    );
    return answer.tasks?.[0];
  }
}

/**
 * An ECS call of a control task (StopTask, DescribeTasks) that failed, with
 * ECS's error as its `cause`: told apart from the run ledger's failures by
 * its class, since both services name a throttled call `ThrottlingException`.
 */
class EcsCallError extends Error {
  override readonly name = 'EcsCallError';

  /**
   * @param call - the ECS operation (`StopTask`)
   * @param options - ECS's error, as `cause`
   */
  constructor(
    readonly call: string,
    options: { readonly cause: unknown },
  ) {
    super(`ECS ${call} failed`, options);
  }
}

/* An ECS call whose failure is an EcsCallError naming it. */
async function ecsCall<T>(call: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new EcsCallError(call, { cause: error });
  }
}

function failure(exitCode: number, message: string, refused?: StartFailure['refused'], name = 'ContainerStartFailed'): StartFailure {
  return { exitCode, error: { name, message }, ...(refused === undefined ? {} : { refused }) };
}

/** An SDK error's message without the SDK's own hint at its internals (`inspect the hidden field {error}.$response`). */
function sdkMessage(message: string): string {
  return (
    message.replace(/[:,;]?\s*(to see the raw response|inspect the hidden field|[^.:,;]*\$response)[\s\S]*$/i, '').trim() || 'no message'
  );
}

/** Whether a start answered a failure rather than a task. */
function isStartFailure(started: ContainerStarted | StartFailure): started is StartFailure {
  return 'error' in started;
}

/**
 * What to do about a RunTask that ECS refused: wait (throttled), give the
 * admin function's role what it lacks (denied: RunTask, and PassRole of the
 * task's roles), or check what the stack made (anything else: the cluster,
 * subnets, task definition).
 */
function refusalAdvice(name: string): string {
  if (isThrottlingName(name)) return 'Try again in a few minutes.';
  if (isAccessDeniedName(name))
    return "The admin function's role makes this call (RunTask, and PassRole of the task's roles): a cdk deploy of the stage gives it what it needs.";
  return 'Check the cluster, subnets and task definition the stage record names (a cdk deploy of the stage makes them).';
}

export { ContainerGate, EcsCallError, isStartFailure, withheldEcsWords };
export type { EcsWords, StartFailure };
