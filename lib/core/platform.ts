import type { ConfigVersion } from './config-version.js';
import type { Parameter, ParameterEntry } from './parameter-set.js';
import type { LambdaRecord } from './platform-record.js';
import type { CloudStageCapability, LocalStageCapability, ManagedConfigKeysCapability } from './platform-capabilities.js';
import type { LivePairControl } from './rollback.js';
import type { AdminEvent, RunRecord, RunResult, RunSource } from './run.js';
import type { RunStatus } from './run-status.js';
import type { PlatformKind } from './stage.js';
import type { TaskCatalog } from './task-catalog.js';

/** The alias name both functions' live aliases carry unless told otherwise. */
const DEFAULT_ALIAS = 'live';

/** Which release to run against: the one behind an alias pair, or a retained one. */
interface ReleaseTarget {
  /** The alias pair to follow. @default 'live' */
  readonly alias?: string;
  /** A retained release to run instead of the alias pair's. */
  readonly release?: string;
  /**
   * With `release`: run with the release's pinned config version (the last
   * one it was live with), or with the stage's live one (`--config current`).
   *
   * @default 'pinned'
   */
  readonly config?: ConfigChoice;
}

/** Which config version a run of a retained release reads: its pinned one, or the stage's live one. */
type ConfigChoice = 'pinned' | 'current';

/** The values `--config` takes. */
const CONFIG_CHOICES: readonly ConfigChoice[] = ['pinned', 'current'];

/**
 * What `invoke` will run against, found before anything runs.
 *
 * `--dry-run` prints it and stops.
 */
interface InvokePlan {
  readonly stage: string;
  /** The alias pair followed, or undefined when a release was picked by id. */
  readonly alias: string | undefined;
  readonly release: string;
  /** The web function's version serving that release. */
  readonly webVersion: string;
  /** The admin function's version of that release. */
  readonly adminVersion: string;
  /** The qualifier the admin function is invoked with. */
  readonly qualifier: string;
  /** The config version the run reads, where the stage keeps config versions. */
  readonly configVersion?: number;
  /** Why that config version: the live pair's, the release's pinned one, or the stage's live one (`--config current`). */
  readonly configSource?: 'live' | ConfigChoice;
  /** Things the user should know, e.g. that the working tree differs from the release. */
  readonly notices: readonly string[];
}

/** Where a container task (`runtime: 'container'`) of the plan runs: what `--dry-run` shows. */
interface ContainerPlan {
  /** The release's task definition (family). */
  readonly taskDefinition: string;
  readonly cluster: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
  readonly timeLimitSeconds: number;
}

/**
 * One piece of a run as it happens: a line of its log, a notice from the
 * platform, or, last, its result.
 */
type RunFrame =
  | {
      readonly type: 'log';
      readonly line: string;
      /** Lambda's own record, parsed by the platform when the line is one (`REPORT …`, `platform.report`). */
      readonly record?: LambdaRecord;
    }
  | { readonly type: 'notice'; readonly message: string }
  | { readonly type: 'result'; readonly result: RunResult };

/** Options of {@link Platform.invoke}. */
interface InvokeOptions {
  /** Aborted when the user interrupts at the terminal: the run is asked to stop. */
  readonly signal?: AbortSignal;
  /** Aborted when the user interrupts a second time: stop waiting for the run at once. */
  readonly force?: AbortSignal;
  /**
   * After the run, wait for the platform's complete log and show what the
   * live output missed (AWS: CloudWatch). A console turns it off.
   *
   * @default true
   */
  readonly completeLog?: boolean;
}

/** Options of {@link Platform.logs}. */
interface LogsOptions {
  /** Keep following until the run ends. */
  readonly follow?: boolean;
  /** Stop following when aborted (Ctrl-C ends following, not the run). */
  readonly signal?: AbortSignal;
}

/** A query over the run ledger. */
interface RunQuery {
  readonly task?: string;
  /** Leave out the runs of these tasks (`runs` leaves console evaluations out unless asked). */
  readonly excludeTasks?: readonly string[];
  /** Only runs of this release, or of the releases whose id starts so (`r-7deeb`). */
  readonly release?: string;
  /** Only runs whose caller holds this, in any case (`alice`). */
  readonly caller?: string;
  /** Only runs of this source. */
  readonly source?: RunSource;
  /** Only runs of this status (a lost run is listed with the running ones until its record is settled). */
  readonly status?: RunStatus;
  /** ISO 8601: only runs started at or after. */
  readonly since?: string;
  /** ISO 8601: only runs started before. */
  readonly until?: string;
  /** At most this many, newest first. */
  readonly limit?: number;
}

/** One function of an alias pair, as `status` shows it. */
interface AliasTarget {
  readonly version: string;
  readonly release: string;
  /** Other versions that take a share of traffic (a canary), with their weights. */
  readonly additionalVersions?: readonly { readonly version: string; readonly release: string; readonly weight: number }[];
}

/** An alias pair and whether its two halves agree. */
interface AliasPairStatus {
  readonly name: string;
  readonly web: AliasTarget;
  readonly admin: AliasTarget;
}

/** A release the stage still holds, and so can still run. */
interface ReleaseInfo {
  readonly release: string;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly webVersion?: string;
  readonly adminVersion?: string;
  /** The config version the release is pinned to: the last one it was live with. */
  readonly config?: number;
  /** Why the release cannot be rolled back to, when it cannot. */
  readonly unrestorable?: string;
  /** The git commit deployed, where the deploy ran in a git checkout. */
  readonly gitSha?: string;
  /** `git describe` and the commit's subject at deploy. */
  readonly description?: string;
}

/** A stage's container tasks (`runtime: 'container'`, run on ECS Fargate), as `status` shows them from the stage record. */
interface ContainerTasksStatus {
  /** The ECS cluster's ARN. */
  readonly cluster: string;
  /**
   * The task definition (family) a run of the live release starts: admin:live's release's, which is the
   * deployed release's until a rollback moves the pair off it.
   */
  readonly taskDefinition: string;
  /** The deployed release's tasks that run in a container, with their time limits in seconds. */
  readonly tasks: readonly { readonly name: string; readonly timeLimitSeconds: number }[];
  /**
   * The deployed release, whose container tasks `tasks` lists, where admin:live
   * serves another (a rollback moved the pair off it): that release's tasks
   * may differ. Absent while admin:live serves the deployed release.
   */
  readonly tasksOf?: string;
}

/** What `status` shows of a stage. */
interface StageStatus {
  readonly stage: string;
  readonly platform: PlatformKind;
  readonly aliases: readonly AliasPairStatus[];
  /** Where the stage runs its container tasks, and which they are; absent where it runs none (the local stage, an AWS stage without `containerTasks`). */
  readonly container?: ContainerTasksStatus;
  /** The live config version, where the stage keeps config versions. */
  readonly config?: number;
  readonly releases: readonly ReleaseInfo[];
  /** Other facts worth a line: drift of the working tree, the local database. */
  readonly notes: readonly string[];
}

/** Options of {@link ConsoleSession.evaluate}. */
interface ConsoleEvaluateOptions extends InvokeOptions {
  /** Show the value with ANSI colours. @default false */
  readonly colors?: boolean;
  /** Also answer the value as JSON data (`console --json`). @default false */
  readonly json?: boolean;
}

/** Completions of a console line: the candidates, and the end of the line they replace. */
type ConsoleCompletion = [string[], string];

/**
 * A `cnf-admin console` session against one release: each input is one run
 * of the reserved `cnf:console` task, audited like any other.
 */
interface ConsoleSession {
  /** Evaluates one input; its frames are the run's log lines, then its result. */
  evaluate(code: string, options?: ConsoleEvaluateOptions): AsyncIterable<RunFrame>;
  /** Completes the end of a console line (Tab), without a run. */
  complete(line: string): Promise<ConsoleCompletion>;
  /** Forgets what the inputs declared (`.clear`): the next input starts from the scope alone. */
  clear(): Promise<void>;
  /** Ends the session. */
  close(): Promise<void>;
}

/** A stage's parameter set, read and written by `config`. */
interface ParameterStore {
  /**
   * Every key of the live parameter set, in key order: its value (a secure
   * one masked), or, where the live config version names a value that is no
   * longer kept (AWS: SSM dropped that parameter version), that it is gone.
   */
  list(): Promise<ParameterEntry[]>;
  /** One key as {@link list} reads it; undefined when the live parameter set has no such key. */
  get(key: string): Promise<ParameterEntry | undefined>;
  set(key: string, value: string, options: { readonly secure: boolean }): Promise<void>;
  /**
   * What the last `set` made here found, in words: the key's parameter had
   * been deleted by hand and its version numbering restarted (AWS SSM), so
   * older config versions that name its versions by number no longer read
   * the values they held. The set is made all the same. Undefined otherwise.
   */
  renumbered?(): string | undefined;
  /** Removes a parameter; resolves to whether it existed. */
  unset(key: string): Promise<boolean>;
  /**
   * Every secure value this process can read, earlier versions' too: what
   * the CLI masks out of what it shows. Absent where secure values are never
   * decrypted (AWS lists SecureStrings without their values).
   */
  secrets?(): Promise<string[]>;
  /**
   * Every plain value kept, with its key and whether it is the live one, the
   * live ones first: earlier versions' and removed keys' too, which `config
   * diff` and `config rollback` print. Absent where only the live values are
   * known to the CLI: `list()` stands for it.
   */
  keptPlainValues?(): Promise<{ readonly key: string; readonly value: string; readonly live: boolean }[]>;
}

/**
 * A stage's config versions: every change of the parameter set made one,
 * and each names its values by parameter version, never by copy.
 */
interface ConfigVersions {
  /** Every config version, oldest first. */
  versions(): Promise<ConfigVersion[]>;
  /** The live config version, or undefined before the first. */
  live(): Promise<number | undefined>;
  /**
   * The values of a config version, in key order, to compare two versions
   * by: a secure key's value is its version's marker (`secureMarker`), never
   * the value.
   *
   * @throws UnavailableError (69) when a value it names is no longer kept.
   */
  values(version: number): Promise<Parameter[]>;
  /** Why a config version cannot be restored (a value fell out of the history), or undefined. */
  unrestorable(version: number): Promise<string | undefined>;
  /** Makes a new config version equal to `version`, live at once (`config rollback`). */
  restore(version: number): Promise<ConfigVersion>;
  /**
   * When the live config version takes effect for web (ISO 8601), while
   * that is still ahead: on AWS a change switches at a moment every warm
   * container sees. Undefined where a change is live at once (local).
   */
  liveFrom?(): Promise<string | undefined>;
  /**
   * What the last change made here took effect without, in words with what
   * to run: on AWS its move of the live pair, when the ledger would not
   * record it. The change is live all the same. Undefined when nothing is
   * missing, and where every change is recorded in one write (local).
   */
  unrecordedMove?(): string | undefined;
}

/**
 * Where a stage lives. The local and the AWS platform answer the same
 * questions, so `invoke` follows one path on both.
 */
interface Platform {
  readonly kind: PlatformKind;
  /** Finds the release to run and the versions that serve it. */
  resolve(target: ReleaseTarget): Promise<InvokePlan>;
  /** The task catalog of the planned release. */
  catalog(plan: InvokePlan): Promise<TaskCatalog>;
  /** Runs the admin event (its run id made by the caller) against the planned release; the last frame is the result. */
  invoke(plan: InvokePlan, event: AdminEvent & { readonly runId: string }, options?: InvokeOptions): AsyncIterable<RunFrame>;
  /**
   * Starts the admin event against the planned release and returns at once,
   * once the platform has accepted it; the run goes on and records itself.
   *
   * @returns undefined once it started; the outcome of the run its run id names, where that run had ended before
   * this start could take the id (a retry that raced it): nothing started
   * @throws TryAgainError (75) where the run its run id names was still in progress: nothing started
   */
  detach(plan: InvokePlan, event: AdminEvent & { readonly runId: string }): Promise<RunResult | undefined>;
  /**
   * Opens a console session against the planned release.
   *
   * @throws PermissionError (77) where the stage keeps the console off.
   */
  openConsole(plan: InvokePlan, caller: string): Promise<ConsoleSession>;
  /** Replays, or follows, the log of a run. */
  logs(runId: string, options?: LogsOptions): AsyncIterable<RunFrame>;
  /** The run ledger, newest first. */
  runs(query: RunQuery): Promise<RunRecord[]>;
  /** One run of the ledger. */
  run(runId: string): Promise<RunRecord | undefined>;
  /** The alias pairs and the retained releases. */
  status(): Promise<StageStatus>;
  /** Who is calling, as the ledger records it: an IAM ARN on AWS, `user@host` locally. */
  callerIdentity(): Promise<string>;
  /** The stage's parameter set. */
  readonly parameters: ParameterStore;
  /** The stage's config versions. */
  readonly configVersions?: ConfigVersions;
  /** The stage's live pair: what `rollback` reads and moves. */
  readonly livePairs?: LivePairControl;
  /** Where `task` runs as a container task against the plan, when it is one on this stage (AWS). */
  containerPlan?(plan: InvokePlan, task: string): Promise<ContainerPlan | undefined>;
  /** What a stage on this machine can do (deploy the working tree, serve, stop a local run); the local stage has it. */
  readonly localStage?: LocalStageCapability;
  /** What a stage on a cloud account can do (stop a container run, its operator policy); AWS stages have it. */
  readonly cloudStage?: CloudStageCapability;
  /** Config keys the platform manages itself (the embedded database's URL). */
  readonly managedConfigKeys?: ManagedConfigKeysCapability;
}

export { CONFIG_CHOICES, DEFAULT_ALIAS };
export type {
  AliasPairStatus,
  ConsoleCompletion,
  ConsoleEvaluateOptions,
  ConsoleSession,
  ContainerPlan,
  ContainerTasksStatus,
  AliasTarget,
  ConfigChoice,
  ConfigVersions,
  InvokeOptions,
  InvokePlan,
  LogsOptions,
  ParameterStore,
  Platform,
  ReleaseInfo,
  ReleaseTarget,
  RunFrame,
  RunQuery,
  StageStatus,
};
