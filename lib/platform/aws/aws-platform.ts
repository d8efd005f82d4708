import { GetCallerIdentityCommand } from './sdk/sts.js';
import { containerTaskOf } from '../../core/container-run.js';
import { taskFamilyOf } from '../../core/stage-names.js';
import { CnfError, PermissionError, UnavailableError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type {
  ConsoleSession,
  ContainerPlan,
  InvokeOptions,
  InvokePlan,
  LogsOptions,
  Platform,
  ReleaseTarget,
  RunFrame,
  RunQuery,
  StageStatus,
} from '../../core/platform.js';
import { SILENT_PROGRESS, withProgress, type Progress } from '../../core/progress.js';
import { stageFunctionNames } from '../../core/stage-names.js';
import type { CloudStageCapability } from '../../core/platform-capabilities.js';
import type { Project } from '../../core/project.js';
import { runResultOfPayload } from '../../core/run-frames.js';
import { isRefusal, newRunId, resultOfRecord, settledRecord, type AdminEvent, type RunRecord, type RunResult } from '../../core/run.js';
import { parameterPathOf, type StageRecord } from '../../core/stage-record.js';
import { formatMoment } from '../../core/format-moment.js';
import type { Stage } from '../../core/stage.js';
import { DESCRIBE_TASK, SETTLE_RUN_TASK, STOP_RUN_TASK, type TaskCatalog } from '../../core/task-catalog.js';
import { INTERRUPTED } from '../../core/abortable.js';
import { AwsClients, INVOKE_TIMEOUT_MARGIN_SECONDS, type AwsClientOptions } from './aws-clients.js';
import { callAws, translateAwsError } from './aws-errors.js';
import { MissingAliasError } from './function-aliases.js';
import { followContainerRun, followStartedContainer, invokeContainer, type ContainerInvocation } from './container-invoke.js';
import { findStageRecord, readStageRecord, type StageAddress } from './discovery.js';
import { invokeBuffered, invokeDetached, type AdminInvocation } from './invoke-buffered.js';
import { THROTTLE_DELAYS_MS } from './invoke-request.js';
import { invokeStreaming } from './invoke-stream.js';
import { payloadOf } from './lambda-limits.js';
import { LedgerReader } from './ledger-reader.js';
import { LineTally, runIdTime } from './log-lines.js';
import { accountOf, operatorPolicy, type PolicyDocument } from './operator-policy.js';
import { resolvePlan } from './resolve-release.js';
import { completeRunLog, runLog, type RunLogSource } from './run-logs.js';
import { SsmParameterStore } from './ssm-parameters.js';
import { stageStatus } from './stage-status.js';
import { describeTask, type EcsTarget } from './ecs-tasks.js';
import { errorOfRefusedStart } from './refused-start.js';
import { parseRunRecord } from '../../core/run-record-schema.js';
import { AwsConfigVersions } from './aws-config-versions.js';
import { AwsLivePairs } from './aws-live-pairs.js';
import { deployInProgress } from './stack-deploys.js';
import { ConfigLedgerStore } from './config-ledger-store.js';
import { eventWithConfig, withConfigStatus, withPlanConfig } from './plan-config.js';
import { VersionedSsmParameters } from './versioned-parameters.js';

/** How patiently the platform reads logs and retries a throttled invoke; tests shorten it. */
interface AwsTiming {
  /** Between two reads of a log that is still growing. @default 1000 */
  readonly pollMs: number;
  /** How long to wait after a run for CloudWatch's late events. @default 20000 */
  readonly settleMs: number;
  /** The waits between attempts of a throttled invoke. @default about 15 s in all */
  readonly throttleDelaysMs: readonly number[];
}

/** Options of {@link AwsPlatform}. */
interface AwsPlatformOptions extends AwsClientOptions {
  readonly timing?: Partial<AwsTiming>;
  /** Told of the waits on AWS: the planning round trip, the catalog, CloudWatch's late events. @default - nobody */
  readonly progress?: Progress;
}

const DEFAULT_TIMING: AwsTiming = { pollMs: 1_000, settleMs: 20_000, throttleDelaysMs: THROTTLE_DELAYS_MS };

/**
 * A stage on AWS: its record in SSM, its web and admin functions in Lambda,
 * its run logs in CloudWatch, its parameter set in SSM and its run ledger in
 * DynamoDB. It answers the same questions as the local platform.
 */
class AwsPlatform implements Platform {
  readonly kind = 'aws' as const;
  readonly parameters: VersionedSsmParameters;
  readonly configVersions: AwsConfigVersions;
  readonly livePairs: AwsLivePairs;
  readonly cloudStage: CloudStageCapability = {
    stop: (runId) => this.stop(runId),
    policy: () => this.policy(),
  };
  readonly #clients: AwsClients;
  readonly #timing: AwsTiming;
  readonly #progress: Progress;
  #record: Promise<StageRecord> | undefined;
  #caller: Promise<string> | undefined;

  constructor(
    private readonly project: Project,
    private readonly stage: Stage,
    options: AwsPlatformOptions = {},
  ) {
    const region = options.region ?? stage.region;
    this.#clients = new AwsClients({
      ...(region === undefined ? {} : { region }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    });
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#progress = options.progress ?? SILENT_PROGRESS;
    const path = parameterPathOf(project.app, stage.name);
    const plain = new SsmParameterStore(this.#clients.ssm, path, stage.name, () => this.#parameterKey());
    const scope = { ssm: this.#clients.ssm, path, stage: stage.name };
    const ledger = () => this.#configLedger();
    const caller = () => this.callerIdentity();
    const liveRelease = () => this.#liveRelease();
    const now = () => this.#clients.ssmClock.now();
    this.configVersions = new AwsConfigVersions({ ...scope, ledger, caller, liveRelease, now });
    this.parameters = new VersionedSsmParameters(plain, this.configVersions, scope, async () => (await ledger()) !== undefined);
    this.livePairs = new AwsLivePairs({
      lambda: this.#clients.lambda,
      stage: stage.name,
      record: () => this.#stageRecord(),
      versions: this.configVersions,
      ledger,
      liveRelease,
      caller,
      deployInProgress: () => this.#deployInProgress(),
    });
  }

  /**
   * Reads the stage record, the two aliases, the live-pair record and the
   * caller at once: one round trip before the invoke. A retained release
   * runs with its pinned config version (or the live one, `--config current`).
   */
  async resolve(target: ReleaseTarget): Promise<InvokePlan> {
    const live = this.configVersions.record();
    live.catch(() => undefined);
    const plan = await this.#resolveRelease(target);
    if ((await this.#configLedger()) === undefined) return plan;
    return withPlanConfig(plan, target, { live: await live, stage: this.stage.name, pairs: this.livePairs, versions: this.configVersions });
  }

  #resolveRelease(target: ReleaseTarget): Promise<InvokePlan> {
    void this.callerIdentity().catch(() => undefined); // under way for the event; its own caller reports a failure
    // A stage with container tasks loads its ECS client while the plan's round trip is under way, not after it.
    void this.#stageRecord().then(
      (record) => (record.container === undefined ? undefined : this.#clients.ecs()),
      () => undefined,
    );
    const label = `Finding the release behind ${target.release === undefined ? `alias ${target.alias ?? 'live'}` : target.release} on stage ${this.stage.name}`;
    return withProgress(
      this.#progress,
      label,
      () =>
        resolvePlan(
          {
            lambda: this.#clients.lambda,
            stage: this.stage.name,
            record: this.#stageRecord(),
            names: stageFunctionNames(this.project.app, this.stage.name),
          },
          target,
        ),
      { quiet: true },
    );
  }

  /** Asks the planned admin version for its catalog (the reserved `cnf:describe` task). */
  async catalog(plan: InvokePlan): Promise<TaskCatalog> {
    const event: AdminEvent = {
      task: DESCRIBE_TASK,
      runId: newRunId(),
      source: 'cli',
      caller: await this.callerIdentity(),
      release: plan.release,
    };
    const answer = await withProgress(
      this.#progress,
      `Asking admin version ${plan.adminVersion} for its tasks`,
      async () =>
        invokeBuffered(await this.#invocation(plan, event.runId as string), payloadOf(event, 'synchronous'), {
          throttleDelaysMs: this.#timing.throttleDelaysMs,
        }),
      { quiet: true },
    );
    const result = answer === INTERRUPTED || answer.functionError !== undefined ? undefined : runResultOfPayload(answer.text);
    const catalog = result?.output as TaskCatalog | undefined;
    if (result?.exitCode !== ExitCode.OK || !Array.isArray(catalog?.tasks)) {
      const why = result?.error?.message ?? (answer === INTERRUPTED ? 'interrupted' : (answer.functionError ?? 'no catalog in its answer'));
      throw new UnavailableError(`Admin version ${plan.adminVersion} of stage ${plan.stage} could not list its tasks: ${why}`);
    }
    return catalog;
  }

  async *invoke(plan: InvokePlan, given: AdminEvent & { readonly runId: string }, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
    const event = eventWithConfig(plan, given);
    const record = await this.#stageRecord();
    // A container task runs as a Fargate task of the same release, followed through its log.
    const container = await this.#containerInvocation(record, plan, event);
    if (container !== undefined) return yield* invokeContainer(container, options);
    const shown = new LineTally();
    const startedAt = Date.now();
    const invocation = await this.#invocation(plan, event.runId);
    const end = yield* invokeStreaming({ ...invocation, event, release: plan.release }, shown, {
      throttleDelaysMs: this.#timing.throttleDelaysMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (end.kind === 'interrupted') return;
    const source = this.#logSource(record);
    if (end.kind === 'connection-lost') {
      yield {
        type: 'notice',
        message: `The connection to Lambda broke (${(end.error as Error).message}) while run ${event.runId} went on; following its log by run id (it is not invoked again).`,
      };
      const deadline = startedAt + (record.admin.timeoutSeconds + INVOKE_TIMEOUT_MARGIN_SECONDS) * 1000;
      yield* runLog(source, event.runId, {
        follow: true,
        deadline,
        shown,
        startedAt,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      return;
    }
    // The planned release runs the task in a container where the live one (whose record says how each task runs) does not.
    const started = end.result.container;
    if (started !== undefined && record.container !== undefined) {
      const run = await this.#containerRun(record, plan, event, invocation);
      return yield* followStartedContainer(run, started, startedAt, shown, options);
    }
    if (!isRefusal(end.result) && options.completeLog !== false) {
      yield* completeRunLog(source, { runId: event.runId, requestId: end.requestId, startedAt, shown, tail: end.tail }, options.signal);
    }
    yield { type: 'result', result: end.result };
  }

  /**
   * A console session against the planned release, where the stage turned
   * the console on (its record says so; the admin function checks again).
   *
   * @throws PermissionError (77) on a stage that keeps the console off.
   */
  async openConsole(plan: InvokePlan, caller: string): Promise<ConsoleSession> {
    if (!(await this.#stageRecord()).console) {
      throw new PermissionError(
        `The console is off on stage ${this.stage.name}: it evaluates arbitrary code, so a stage must turn it on.`,
        {
          hint: "Set console: true on the stage's AdminApp construct and deploy the stage.",
        },
      );
    }
    // The console's completion and input rewriting (acorn) load for a console only, not for every command.
    const { AwsConsoleSession } = await import('./aws-console.js');
    return new AwsConsoleSession(this, plan, caller);
  }

  async detach(plan: InvokePlan, given: AdminEvent & { readonly runId: string }): Promise<undefined> {
    const event = eventWithConfig(plan, given);
    if (containerTaskOf(await this.#stageRecord(), event.task) !== undefined) {
      // The start answers at once and says whether it was refused: a bad arg is a 64 here too, before any task starts.
      const result = await this.#askAdmin(plan.qualifier, { ...event, release: plan.release });
      if (result.container === undefined) throw errorOfRefusedStart(result, this.stage.name);
      return undefined;
    }
    const payload = payloadOf({ ...event, release: plan.release }, 'asynchronous');
    await invokeDetached(await this.#invocation(plan, event.runId), payload, { throttleDelaysMs: this.#timing.throttleDelaysMs });
    return undefined;
  }

  async *logs(runId: string, options: LogsOptions = {}): AsyncGenerator<RunFrame> {
    const record = await this.#stageRecord();
    const source = this.#logSource(record);
    const signal = options.signal === undefined ? {} : { signal: options.signal };
    const follow = options.follow === true;
    const recorded = follow || record.container !== undefined ? await this.#recordOf(runId) : undefined;
    // A container run still going by the ledger: ECS says whether its task has stopped, as the attached invoke asks it.
    const running = record.container !== undefined && recorded?.endedAt === undefined ? recorded : undefined;
    if (running?.ecsTask === undefined) {
      // Until when the run could still be going: a follow waits no longer, and a read before then may find nothing yet.
      const until = this.#followDeadline(record, runId, recorded);
      if (follow && until !== undefined && recorded === undefined && until > Date.now()) {
        yield {
          type: 'notice',
          message: `No record of run ${runId} yet: waiting for its log until ${formatMoment(new Date(until).toISOString())} (Ctrl-C stops).`,
        };
      }
      yield* runLog(source, runId, {
        follow,
        ...signal,
        ...(recorded?.ecsTask === undefined ? {} : { container: true }),
        ...(recorded?.notStarted === true && recorded.endedAt !== undefined ? { endedNotStarted: true } : {}),
        ...(until === undefined ? {} : { deadline: until, unknown: follow && recorded === undefined }),
      });
      return;
    }
    const target = await this.#ecsTarget(record);
    const followed = {
      target,
      logs: source,
      runId,
      task: running.task,
      release: running.release,
      taskArn: running.ecsTask,
      startedAt: Date.parse(running.startedAt),
      settle: (id: string) => this.#settle(id),
      pollMs: this.#timing.pollMs,
    };
    if (options.follow === true) {
      yield* followContainerRun(followed, options.signal);
      return;
    }
    const settled = await this.#settleIfStopped(target, running);
    let ended = false;
    try {
      for await (const frame of runLog(source, runId, { follow: false, container: true, ...signal })) {
        ended ||= frame.type === 'result';
        yield frame;
      }
    } catch (error) {
      // A task whose image could not be pulled logged nothing: its record still tells how it ended.
      if (!(error instanceof UsageError) || settled.endedAt === undefined) throw error;
    }
    if (!ended && settled.endedAt !== undefined) {
      if (settled.error !== undefined) yield { type: 'notice', message: settled.error.message };
      yield { type: 'result', result: resultOfRecord(settled) };
    }
  }

  async runs(query: RunQuery): Promise<RunRecord[]> {
    const records = (await (await this.#ledger()).list(query)).map((record) => settledRecord(record));
    return this.#withContainerEnds(records);
  }

  async run(runId: string): Promise<RunRecord | undefined> {
    const record = await (await this.#ledger()).get(runId);
    if (record === undefined) return undefined;
    const [settled] = await this.#withContainerEnds([settledRecord(record)]);
    return settled;
  }

  /**
   * The records, with the end of each container run whose task has stopped
   * without recording it asked of ECS and recorded by the admin function
   * (the operator cannot write the ledger): `runs` never shows a dead
   * container run as running.
   */
  async #withContainerEnds(records: RunRecord[]): Promise<RunRecord[]> {
    const record = await this.#stageRecord();
    if (record.container === undefined || !records.some((run) => run.endedAt === undefined && run.ecsTask !== undefined)) return records;
    const target = await this.#ecsTarget(record);
    return Promise.all(
      records.map((run) => (run.endedAt === undefined && run.ecsTask !== undefined ? this.#settleIfStopped(target, run) : run)),
    );
  }

  /** A run's ledger record; none when the stage has no ledger, or it cannot be read (the log is readable without it). */
  async #recordOf(runId: string): Promise<RunRecord | undefined> {
    if ((await this.#stageRecord()).ledgerTable === undefined) return undefined;
    try {
      return await (await this.#ledger()).get(runId);
    } catch (error) {
      if (error instanceof CnfError) return undefined;
      throw error;
    }
  }

  /**
   * Until when a Lambda run could still be going, so `logs --follow` waits no
   * longer: the admin function's timeout (and a margin) after the run
   * started, by its ledger record or its id, else from now. None for a container run, which the ledger
   * follows, and which may run longer than any Lambda.
   */
  #followDeadline(record: StageRecord, runId: string, recorded: RunRecord | undefined): number | undefined {
    if (recorded?.ecsTask !== undefined) return undefined;
    const startedAt = recorded === undefined ? (runIdTime(runId) ?? Date.now()) : Date.parse(recorded.startedAt);
    return startedAt + (record.admin.timeoutSeconds + INVOKE_TIMEOUT_MARGIN_SECONDS) * 1000;
  }

  /** A container run's record, with its end recorded when ECS says its task has stopped. */
  async #settleIfStopped(target: EcsTarget, run: RunRecord): Promise<RunRecord> {
    const task = await describeTask(target, run.ecsTask as string);
    if (task !== undefined && task.lastStatus !== 'STOPPED') return run;
    return (await this.#settle(run.runId)) ?? run;
  }

  /** Asks the live admin function to record the end of a container run whose task stopped (`cnf:settle`); the settled record. */
  async #settle(runId: string): Promise<RunRecord | undefined> {
    const record = await this.#stageRecord();
    const result = await this.#askAdmin(record.aliasName, { task: SETTLE_RUN_TASK, args: { runId } });
    if (result.exitCode !== ExitCode.OK) throw errorOfRefusedStart(result, this.stage.name);
    if (result.output === undefined) return undefined;
    return parseRunRecord(
      result.output,
      `of run ${runId} as the admin function answered it (${SETTLE_RUN_TASK})`,
      'Read it with cnf-admin runs show.',
    );
  }

  /**
   * Sends the admin function one event and waits for its run result (a
   * synchronous invoke): how the CLI starts a detached container run, stops
   * one and records a stopped one's end.
   */
  async #askAdmin(qualifier: string, event: AdminEvent): Promise<RunResult> {
    const runId = event.runId ?? newRunId();
    const full: AdminEvent = { runId, source: 'cli', caller: await this.callerIdentity(), ...event };
    const record = await this.#stageRecord();
    const answer = await invokeBuffered(
      {
        client: this.#clients.invoker(record.admin.timeoutSeconds),
        functionName: record.admin.functionName,
        qualifier,
        stage: this.stage.name,
        runId,
      },
      payloadOf(full, 'synchronous'),
      { throttleDelaysMs: this.#timing.throttleDelaysMs },
    );
    const result = answer === INTERRUPTED || answer.functionError !== undefined ? undefined : runResultOfPayload(answer.text);
    if (result === undefined) {
      const why = answer === INTERRUPTED ? 'interrupted' : (answer.functionError ?? 'no run result in its answer');
      throw new UnavailableError(`The admin function of stage ${this.stage.name} did not answer ${event.task}: ${why}`);
    }
    return result;
  }

  async status(): Promise<StageStatus> {
    return withProgress(
      this.#progress,
      `Reading stage ${this.stage.name}`,
      async () => {
        const status = await stageStatus(this.#clients.lambda, await this.#stageRecord());
        return (await this.#configLedger()) === undefined ? status : withConfigStatus(status, this.livePairs, this.configVersions);
      },
      {
        quiet: true,
      },
    );
  }

  /** The caller's IAM ARN (STS `GetCallerIdentity`), asked once per command. */
  callerIdentity(): Promise<string> {
    this.#caller ??= callAws({ action: 'sts:GetCallerIdentity', resource: 'the caller', stage: this.stage.name }, () =>
      this.#clients.sts.send(new GetCallerIdentityCommand({})),
    ).then((identity) => identity.Arn ?? 'unknown');
    return this.#caller;
  }

  /** Where `task` runs as a container task against the plan, when it is one on this stage. */
  async containerPlan(plan: InvokePlan, task: string): Promise<ContainerPlan | undefined> {
    const record = await this.#stageRecord();
    const container = containerTaskOf(record, task);
    if (record.container === undefined || container === undefined) return undefined;
    const { cluster, subnets, securityGroups, assignPublicIp } = record.container;
    const taskDefinition = taskFamilyOf(record.app, record.stage, plan.release);
    return { taskDefinition, cluster, subnets, securityGroups, assignPublicIp, timeLimitSeconds: container.timeLimitSeconds };
  }

  /**
   * Stops the container task that runs `runId`, through the admin function
   * (`cnf:stop`): it finds the run's ECS task in the ledger and stops it,
   * naming the caller. ECS sends it SIGTERM, the run's signal fires, and the
   * run ends with 130, recorded in the ledger. The operator needs no ECS
   * permission to stop: only the gate stops the stage's tasks, and only a
   * run's own.
   *
   * @returns the stopped tasks' ARNs
   * @throws UsageError (64) when the stage has no container tasks, or `runId` names no running container run.
   */
  async stop(runId: string): Promise<string[]> {
    const record = await this.#stageRecord();
    if (record.container === undefined) {
      throw new UsageError(`Stage ${this.stage.name} has no container tasks: cnf-admin stop stops a container task's run.`, {
        hint: 'A run on Lambda ends at its timeout; its task sees its signal fire then.',
      });
    }
    const result = await this.#askAdmin(record.aliasName, { task: STOP_RUN_TASK, args: { runId } });
    // A run that is not in the ledger, or cannot be stopped (ended, on Lambda): the runs say which, and how each ended.
    if (result.exitCode === ExitCode.USAGE && result.error !== undefined)
      throw new UsageError(result.error.message, {
        hint: `List the stage's runs, and how each ended, with: cnf-admin runs --stage ${this.stage.name}`,
      });
    if (result.exitCode !== ExitCode.OK) throw errorOfRefusedStart(result, this.stage.name);
    return (result.output as { stoppedTasks?: string[] } | undefined)?.stoppedTasks ?? [];
  }

  /** The least-privilege IAM policy an operator needs for this stage. */
  async policy(): Promise<PolicyDocument> {
    const [record, caller] = await Promise.all([this.#stageRecord(), this.callerIdentity()]);
    return operatorPolicy({ ...accountOf(caller), record });
  }

  #stageRecord(): Promise<StageRecord> {
    this.#record ??= this.#address().then((address) => readStageRecord(this.#clients.ssm, address));
    return this.#record;
  }

  /**
   * The customer managed KMS key the stage's record names for its
   * SecureStrings. None when it names none, and before the first deploy
   * (there is no record yet): SSM then encrypts with `aws/ssm`.
   */
  async #parameterKey(): Promise<string | undefined> {
    return (await findStageRecord(this.#clients.ssm, await this.#address()))?.parameterKey;
  }

  async #address(): Promise<StageAddress> {
    return { app: this.project.app, stage: this.stage.name, region: await this.#region() };
  }

  async #region(): Promise<string> {
    try {
      return await this.#clients.region();
    } catch (error) {
      throw translateAwsError(error, { action: 'resolve the region', resource: `stage ${this.stage.name}`, stage: this.stage.name });
    }
  }

  async #invocation(plan: InvokePlan, runId: string): Promise<AdminInvocation> {
    const record = await this.#stageRecord();
    return {
      client: this.#clients.invoker(record.admin.timeoutSeconds),
      functionName: record.admin.functionName,
      qualifier: plan.qualifier,
      stage: this.stage.name,
      runId,
    };
  }

  /** How to run the event as a container task, when its task is one on this stage. */
  async #containerInvocation(
    record: StageRecord,
    plan: InvokePlan,
    event: AdminEvent & { readonly runId: string },
  ): Promise<ContainerInvocation | undefined> {
    if (containerTaskOf(record, event.task) === undefined) return undefined;
    return this.#containerRun(record, plan, event, await this.#invocation(plan, event.runId));
  }

  /** A run of the event as a container task of the stage (its record names the stage's cluster). */
  async #containerRun(
    record: StageRecord,
    plan: InvokePlan,
    event: AdminEvent & { readonly runId: string },
    admin: AdminInvocation,
  ): Promise<ContainerInvocation> {
    return {
      admin,
      target: await this.#ecsTarget(record),
      logs: this.#logSource(record),
      plan,
      event,
      pollMs: this.#timing.pollMs,
      throttleDelaysMs: this.#timing.throttleDelaysMs,
      settle: (runId) => this.#settle(runId),
    };
  }

  async #ecsTarget(record: StageRecord): Promise<EcsTarget> {
    if (record.container === undefined) throw new UnavailableError(`Stage ${this.stage.name} has no container tasks.`);
    return { ecs: await this.#clients.ecs(), record: record.container, stage: this.stage.name };
  }

  #logSource(record: StageRecord): RunLogSource {
    return {
      logs: this.#clients.logs,
      logGroup: record.admin.logGroup,
      stage: this.stage.name,
      pollMs: this.#timing.pollMs,
      settleMs: this.#timing.settleMs,
      progress: this.#progress,
      logGroupArn: async () => {
        const { partition, account } = accountOf(await this.callerIdentity());
        return `arn:${partition}:logs:${await this.#region()}:${account}:log-group:${record.admin.logGroup}`;
      },
    };
  }

  /** The stage's config history in its ledger table, or undefined for a stage without one. */
  async #configLedger(): Promise<ConfigLedgerStore | undefined> {
    // Before the first deploy there is no record, and no ledger: the plain parameter set.
    const record = await this.#stageRecord().catch(async (error: unknown) => {
      if ((await findStageRecord(this.#clients.ssm, await this.#address())) === undefined) return undefined;
      throw error;
    });
    const table = record?.ledgerTable;
    return table === undefined ? undefined : new ConfigLedgerStore(() => this.#clients.dynamodb(), table, this.stage.name);
  }

  /** The release behind the live alias pair, or undefined when the stage has none yet. */
  /** The stage's stack and its status while a deploy is under way; undefined when settled, or for a stage whose record names no stack. */
  async #deployInProgress(): Promise<{ stack: string; status: string } | undefined> {
    const { stack } = await this.#stageRecord();
    if (stack === undefined) return undefined;
    const status = await deployInProgress(await this.#clients.cloudFormation(), stack, this.stage.name);
    return status === undefined ? undefined : { stack, status };
  }

  async #liveRelease(): Promise<string | undefined> {
    try {
      return (await this.#resolveRelease({})).release;
    } catch (error) {
      if (error instanceof MissingAliasError) return undefined;
      throw error;
    }
  }

  async #ledger(): Promise<LedgerReader> {
    const record = await this.#stageRecord();
    if (record.ledgerTable === undefined) {
      throw new UnavailableError(`Stage ${this.stage.name} has no run ledger: its stage record names no ledger table.`, {
        hint: 'Deploy the stage with a cnf-admin construct that creates the run ledger.',
      });
    }
    return new LedgerReader(() => this.#clients.dynamodb(), record.ledgerTable, this.stage.name);
  }
}

export { AwsPlatform };
export type { AwsPlatformOptions, AwsTiming };
