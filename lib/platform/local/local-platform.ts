import { spawn } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { releaseOfPair } from '../../core/alias-pair.js';
import { describeFiles, type WorkingTreeDifference } from '../../core/working-tree-difference.js';
import { UnavailableError } from '../../core/errors.js';
import type {
  AliasPairStatus,
  ConsoleSession,
  InvokeOptions,
  InvokePlan,
  LogsOptions,
  Platform,
  ReleaseTarget,
  RunFrame,
  RunQuery,
  StageStatus,
} from '../../core/platform.js';
import { DEFAULT_ALIAS } from '../../core/platform.js';
import type { LocalDeployOptions, LocalStageCapability, ManagedConfigKeysCapability } from '../../core/platform-capabilities.js';
import { configVersionLabel, livePairLabel } from '../../core/config-version.js';
import { SILENT_PROGRESS, type Progress } from '../../core/progress.js';
import { pinnedConfig } from '../../core/rollback.js';
import type { Project } from '../../core/project.js';
import { settledRecord, type AdminEvent, type RunRecord, type RunResult } from '../../core/run.js';
import type { Stage } from '../../core/stage.js';
import { RESERVED_TASK_PREFIX, type TaskCatalog } from '../../core/task-catalog.js';
import { toolRoot } from '../../core/tool-root.js';
import { helperEnvironment } from '../../core/helper-environment.js';
import { containerTimeLimitSeconds, runtimeOf } from '../../core/task-runtime.js';
import { FileLedger } from '../../runtime/ledger/file-ledger.js';
import { SecretRedactor } from '../../runtime/redact-secrets.js';
import { maskedFrame, maskedRun } from '../../runtime/masked-runs.js';
import { readAliases, readAliasTarget, type LocalAliasPair } from './alias-store.js';
import { isAliasName } from '../../core/alias-name.js';
import { LocalLivePairs, localRollbackPin, processHolderId, withLocalStageLock } from './local-live-pair.js';
import { noChangeDeployment } from './unchanged-deployment.js';
import { ensureDatabaseWithProgress } from './database-progress.js';
import { embeddedDatabasePort } from './embedded-database.js';
import type { LocalDeployment } from './unchanged-deployment.js';
import type { DetachedRun } from './detached-run.js';
import { LocalConsoleSession } from './local-console.js';
import { localLogs } from './local-logs.js';
import { LocalParameterStore } from './local-parameters.js';
import { bundleDir, localPaths, type LocalPaths } from './local-paths.js';
import { assertBundleWhole, bundleDamage, listReleases, readRelease, type StoredRelease } from './release-store.js';
import { assertStateDirectories, assertStateWritable } from './local-state.js';
import { ensureUsableTmpdir } from './usable-tmpdir.js';
import { runLocally } from './run-process.js';
import { withoutLogOfRefusal } from './refused-run-log.js';
import { takenRunIdOutcome } from './taken-run-id.js';
import { LOCAL_FUNCTION_TIMEOUT_SECONDS } from './lambda-environment.js';
import { stopLocalRun } from './stop-local-run.js';
import { workingTreeDifference } from './working-tree.js';
import { startWebServer } from './local-web-server.js';
import { assertUnmanagedKey, managedDatabaseKey } from './managed-database-url.js';

/* A detached run may first start the embedded database: seconds on a first start. */
const DETACH_START_TIMEOUT_MS = 120_000;

/** The event with the plan's config version, which the run reads. */
function withConfigVersion<E extends AdminEvent>(event: E, plan: InvokePlan): E {
  return plan.configVersion === undefined ? event : { ...event, configVersion: plan.configVersion };
}

/** Who acts on the local stage, as the ledger and config versions record it: `user@host`. */
function localCaller(): string {
  return `${userInfo().username}@${hostname()}`;
}

/**
 * The local stage: releases, alias pairs, parameter set, ledger and logs
 * under `.cnf/local/`, runs in Node processes of their own, and an embedded
 * PostgreSQL. It answers the same questions as the AWS platform.
 */
class LocalPlatform implements Platform {
  readonly kind = 'local' as const;
  readonly parameters: LocalParameterStore;
  readonly livePairs: LocalLivePairs;
  readonly localStage: LocalStageCapability = {
    deploy: (alias, options) => this.deploy(alias, options),
    buildWorkingTree: async () => {
      const { buildBundle } = await import('../../bundle/build-bundle.js');
      const { release, catalog } = await buildBundle(this.project);
      return { release, catalog };
    },
    workingTree: (alias) => this.workingTree(alias),
    rollbackPin: () => localRollbackPin(this.project),
    prepareDatabase: () => this.prepareDatabase(),
    readAliasTarget: (alias) => readAliasTarget(this.#paths, alias),
    nothingDeployed: async () =>
      (await readAliases(this.#paths))[DEFAULT_ALIAS] === undefined && (await listReleases(this.#paths)).length === 0,
    startWebServer: async (release, host, port) =>
      startWebServer(this.project, this.#paths, release, host, port, await this.parameters.secrets()),
    stop: (runId, asked) => this.stop(runId, asked),
  };
  readonly managedConfigKeys: ManagedConfigKeysCapability = {
    managedDatabaseKey: () => managedDatabaseKey(this.project, this.stage),
    assertUnmanagedKey: (key, command) => assertUnmanagedKey(this.project, this.stage, key, command),
  };
  readonly #paths: LocalPaths;
  readonly #ledger: FileLedger;
  /** The release each plan was resolved to, read and checked then: running the plan reads it again for nothing. */
  readonly #planned = new WeakMap<InvokePlan, StoredRelease>();
  /**
   * The release records this command has read, by id: `invoke` reads one
   * before it deploys the tree (auto-deploy) and again as it resolves the
   * run, and reads it once. A deploy forgets them. How the working tree
   * stands against a record is found afresh each time it is asked (a stat
   * per source, well under a millisecond): a command that lives on (`ui`)
   * sees the edits made meanwhile.
   */
  readonly #releaseReads = new Map<string, Promise<StoredRelease | undefined>>();

  /**
   * @param progress - told what the platform is doing when it takes a while (a first deploy, starting the database)
   */
  constructor(
    private readonly project: Project,
    private readonly stage: Stage,
    private readonly progress: Progress = SILENT_PROGRESS,
  ) {
    this.#paths = localPaths(project);
    assertStateDirectories(this.#paths);
    ensureUsableTmpdir(process.env, (message) => progress.note(message));
    this.parameters = new LocalParameterStore(
      this.#paths.parameters,
      localCaller,
      async () => readAliasTarget(this.#paths, DEFAULT_ALIAS),
      (work) => withLocalStageLock(this.#paths, { runId: processHolderId('config'), caller: localCaller() }, work),
    );
    this.#ledger = new FileLedger(this.#paths.ledger);
    this.livePairs = new LocalLivePairs(this.#paths, this.parameters, this.#ledger);
  }

  get configVersions(): LocalParameterStore {
    return this.parameters;
  }

  /**
   * How the working tree stands against the release an alias pair serves:
   * undefined when the pair does not exist yet or its web and admin differ.
   */
  async workingTree(alias: string = DEFAULT_ALIAS): Promise<(WorkingTreeDifference & { readonly release: string }) | undefined> {
    const pair = (await readAliases(this.#paths))[alias];
    if (pair === undefined || pair.web !== pair.admin) return undefined;
    const stored = await this.#readRelease(pair.web);
    return stored === undefined ? undefined : { release: stored.release, ...workingTreeDifference(this.project, stored) };
  }

  /** Builds the working tree and moves the alias pair to it (nothing is built when the pair's release was built from it as it is). */
  async deploy(alias: string = DEFAULT_ALIAS, options: LocalDeployOptions = {}): Promise<LocalDeployment> {
    try {
      return await this.#deploy(alias, options);
    } finally {
      this.#releaseReads.clear();
    }
  }

  async #deploy(alias: string, options: LocalDeployOptions): Promise<LocalDeployment> {
    // A deploy with nothing to do writes nothing: it answers without taking the stage's lock,
    // and is refused (75) as one that takes it while another change of the stage (a rollback) holds it.
    const nothingToDo = await noChangeDeployment(this.project, alias);
    if (nothingToDo !== undefined) return nothingToDo;
    // The bundler (esbuild) loads only when a deploy needs it: an invoke of the live release does not.
    const { deployLocal } = await import('./local-deploy.js');
    // A deploy stores a release: a releases directory it cannot write to is said before the build, naming it.
    await assertStateWritable(this.#paths, [this.#paths.releases]);
    const who = localCaller();
    // One change of the stage at a time: a deploy waits for no rollback, it refuses while one holds the stage (75).
    return withLocalStageLock(this.#paths, { runId: processHolderId('deploy'), caller: who }, async () =>
      deployLocal(this.project, this.stage, alias, who, options.showBuild === true ? this.progress : undefined, options),
    );
  }

  async resolve(target: ReleaseTarget): Promise<InvokePlan> {
    const notices: string[] = [];
    if (target.release !== undefined) {
      const stored = await this.#storedRelease(target.release);
      const live = await this.parameters.live();
      const pinned = target.config === 'current' ? undefined : pinnedConfig(await this.livePairs.history(), stored.release);
      if (target.config !== 'current' && pinned === undefined && live !== undefined)
        notices.push(
          `${stored.release} has never been live here, so it has no pinned config: it runs with the live config ${configVersionLabel(live)}.`,
        );
      const config = pinned ?? live;
      if (config !== undefined && config !== live) {
        const problem = await this.parameters.unrestorable(config);
        if (problem !== undefined)
          throw new UnavailableError(`Cannot run ${stored.release} with its pinned config: ${problem}.`, {
            hint: 'Run it with the live config instead: --config current',
          });
      }
      return this.#plan(undefined, stored, notices, config, pinned === undefined ? 'current' : 'pinned');
    }
    const alias = target.alias ?? DEFAULT_ALIAS;
    let pair = (await readAliases(this.#paths))[alias];
    if (pair === undefined) {
      if (alias !== DEFAULT_ALIAS || (await listReleases(this.#paths)).length > 0) {
        const known = Object.keys(await readAliases(this.#paths)).join(', ') || 'none';
        const deploy = `cnf-admin deploy --stage ${this.stage.name}${alias === DEFAULT_ALIAS ? '' : ` --alias ${alias}`}`;
        throw new UnavailableError(`The local stage has no alias pair ${JSON.stringify(alias)} (alias pairs: ${known}).`, {
          ...(isAliasName(alias) ? { hint: `Deploy the working tree to it: ${deploy}` } : {}),
        });
      }
      const wait = this.progress.start('No local release yet: deploying the working tree first');
      const deployment = await this.deploy(alias).catch((error: unknown) => {
        wait.stop('fail');
        throw error;
      });
      wait.stop('ok', `Deployed ${deployment.stored.release} to the local stage (web:${alias} and admin:${alias})`);
      pair = { web: deployment.stored.release, admin: deployment.stored.release };
    }
    const release = releaseOfPair(this.#pairStatus(alias, pair), this.stage.name);
    const stored = await this.#storedRelease(release);
    const drift = this.#driftNotice(stored, 3, alias);
    if (drift !== undefined) notices.push(drift);
    return this.#plan(alias, stored, notices, await this.parameters.live(), 'live');
  }

  async catalog(plan: InvokePlan): Promise<TaskCatalog> {
    return (this.#planned.get(plan) ?? (await this.#storedRelease(plan.release))).catalog;
  }

  /** Makes sure the embedded database serves, when the stage has one. */
  async prepareDatabase(): Promise<void> {
    if (this.stage.database !== undefined) await ensureDatabaseWithProgress(this.#paths, this.progress, this.project.databaseUrlVariable);
  }

  async *invoke(plan: InvokePlan, event: AdminEvent & { readonly runId: string }, options: InvokeOptions = {}): AsyncGenerator<RunFrame> {
    await assertStateWritable(this.#paths);
    // A corrupted parameter file is the stage's fault, said here in one line, not a failed run.
    const secrets = await this.parameters.secrets();
    const catalog = await this.catalog(plan);
    const task = [...catalog.tasks, ...catalog.scripts].find((candidate) => candidate.name === event.task);
    // A task the release lacks is refused by the handler; it needs no database started for that.
    if (task !== undefined || event.task.startsWith(RESERVED_TASK_PREFIX)) await this.prepareDatabase();
    const taskTimeout = task?.timeoutSeconds;
    // A run id of a run that started (not one that never did, which a retry takes over): its log is that run's alone.
    const earlier = await this.#ledger.get(event.runId);
    const frames = runLocally(
      {
        app: this.project.app,
        paths: this.#paths,
        release: plan.release,
        bundleDir: bundleDir(this.#paths, plan.release),
        event: withConfigVersion(event, plan),
        // A container task runs without Lambda's 15-minute cap, as it does on Fargate.
        functionTimeoutSeconds:
          task !== undefined && runtimeOf(task) === 'container' ? containerTimeLimitSeconds(task) : LOCAL_FUNCTION_TIMEOUT_SECONDS,
        ...(taskTimeout === undefined ? {} : { taskTimeoutSeconds: taskTimeout }),
        secrets,
        repeat: earlier !== undefined && earlier.notStarted !== true,
      },
      options,
    );
    yield* withoutLogOfRefusal(frames, this.#paths, this.#ledger, event.runId);
  }

  async detach(plan: InvokePlan, event: AdminEvent & { readonly runId: string }): Promise<RunResult | undefined> {
    await assertStateWritable(this.#paths);
    const run: DetachedRun = {
      root: this.project.root,
      stage: this.stage.name,
      release: plan.release,
      event: withConfigVersion(event, plan),
    };
    const child = spawn(process.execPath, [join(toolRoot(), 'dist', 'local-detached.mjs')], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: helperEnvironment(),
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdin.end(JSON.stringify(run), () => resolve());
    });
    child.unref();
    // Return once the run has taken its run id (its record names this run's process), so that `logs --follow` finds
    // it: a log of the id may be another run's, which a retry that raced it found still going, or ended.
    const claimed = async (): Promise<boolean> => (await this.#ledger.get(event.runId))?.owner?.pid === child.pid;
    const giveUpAt = Date.now() + DETACH_START_TIMEOUT_MS;
    while (!(await claimed())) {
      const code = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50))]);
      if (code !== undefined) {
        if (await claimed()) return undefined; // it ended as fast as it started
        return takenRunIdOutcome(await this.#ledger.get(event.runId), event.runId, code);
      }
      if (Date.now() > giveUpAt)
        throw new UnavailableError(`The detached run ${event.runId} did not start within ${DETACH_START_TIMEOUT_MS / 1000}s.`);
    }
    return undefined;
  }

  async callerIdentity(): Promise<string> {
    return localCaller();
  }

  async openConsole(plan: InvokePlan, caller: string): Promise<ConsoleSession> {
    await assertStateWritable(this.#paths);
    await this.prepareDatabase();
    return LocalConsoleSession.open({
      secrets: await this.parameters.secrets(),
      app: this.project.app,
      paths: this.#paths,
      release: plan.release,
      bundleDir: bundleDir(this.#paths, plan.release),
      caller,
      functionTimeoutSeconds: LOCAL_FUNCTION_TIMEOUT_SECONDS,
      ...(plan.configVersion === undefined ? {} : { configVersion: plan.configVersion }),
    });
  }

  /*
   * What is read back of runs (records, logs) comes masked of every secure
   * value the parameter set holds, earlier versions' too. A run redacts the
   * secure values of its own time as it writes; a value made secure after
   * the run, or one rotated out and made live again by a rollback, it did
   * not know. The CLI, `ui` and `--json` read runs through here alike.
   */
  async #redactor(): Promise<SecretRedactor> {
    // The store parses its file again only when it changed (`runs show` reads a run three times; `ui` reads runs all along).
    // A parameter set that cannot be read leaves the runs readable to what checks them (stop, db stop, a run id's reuse):
    // what shows them (runs, logs, ui) first asks for the set itself, and stops there (assertSecretsReadable).
    return new SecretRedactor(await this.parameters.secrets().catch(() => []));
  }

  async *logs(runId: string, options?: LogsOptions): AsyncGenerator<RunFrame> {
    const redactor = await this.#redactor();
    for await (const frame of localLogs(this.#paths, this.#ledger, runId, options)) yield maskedFrame(redactor, frame);
  }

  async runs(query: RunQuery): Promise<RunRecord[]> {
    const redactor = await this.#redactor();
    return (await this.#ledger.list(query)).map((record) => maskedRun(redactor, settledRecord(record)));
  }

  async run(runId: string): Promise<RunRecord | undefined> {
    const record = await this.#ledger.get(runId);
    return record === undefined ? undefined : maskedRun(await this.#redactor(), settledRecord(record));
  }

  /**
   * Stops a local run, attached or detached: see {@link stopLocalRun}.
   *
   * @returns the run's record once it has recorded its end
   */
  stop(runId: string, asked?: () => void): Promise<RunRecord> {
    return stopLocalRun(this.#ledger, this.#paths.logs, runId, asked);
  }

  async status(): Promise<StageStatus> {
    const aliases = await readAliases(this.#paths);
    const releases = await listReleases(this.#paths);
    const notes: string[] = [];
    const live = aliases[DEFAULT_ALIAS];
    const liveRelease = releases.find((stored) => stored.release === live?.web);
    const damage = liveRelease === undefined ? undefined : await bundleDamage(this.#paths, liveRelease);
    if (liveRelease !== undefined && damage !== undefined) {
      notes.push(
        `The live release ${liveRelease.release} is damaged: ${damage}. Runs exit 69 until it is deployed again: cnf-admin deploy --stage local`,
      );
    }
    if (live !== undefined && liveRelease === undefined) {
      notes.push(
        `The live release ${live.web} is missing from .cnf/local/releases/. Runs exit 69 until it is deployed again: cnf-admin deploy --stage local`,
      );
    }
    const drift = liveRelease === undefined ? undefined : this.#driftNotice(liveRelease, Number.POSITIVE_INFINITY);
    // Releases kept with no live pair (aliases.json moved aside, or only another pair deployed): not "nothing deployed".
    const unpointed = live === undefined && releases.length > 0;
    if (unpointed)
      notes.push(
        `No live pair: web:${DEFAULT_ALIAS} and admin:${DEFAULT_ALIAS} point at no release, so runs of the live release exit 69 until a deploy makes the pair again (cnf-admin deploy --stage local). The stage keeps ${releases.length} release(s).`,
      );
    if (damage === undefined && !unpointed && (live === undefined || liveRelease !== undefined))
      notes.push(
        drift ??
          (live === undefined ? 'Nothing deployed yet: cnf-admin deploy --stage local' : 'The working tree matches the live release.'),
      );
    if (this.stage.database !== undefined)
      notes.push(
        `Embedded PostgreSQL on 127.0.0.1:${await embeddedDatabasePort(this.#paths)}, data in .cnf/local/database/ (cnf-admin db status).`,
      );
    const moves = await this.parameters.moves();
    const config = await this.parameters.live();
    const infos = await Promise.all(
      releases.map(async (stored) => {
        const pinned = pinnedConfig(moves, stored.release);
        // The commit it was first built from; for a release stored before cnf-admin recorded that, a live move's.
        const moved = moves.findLast((move) => move.release === stored.release && move.gitSha !== undefined);
        const deployed = stored.git === undefined ? moved : { gitSha: stored.git.sha, description: stored.git.description };
        const unrestorable =
          (await this.livePairs.releaseUnrestorable(stored.release)) ??
          (pinned === undefined ? undefined : await this.parameters.unrestorable(pinned));
        return {
          release: stored.release,
          createdAt: stored.createdAt,
          webVersion: stored.release,
          adminVersion: stored.release,
          ...(pinned === undefined ? {} : { config: pinned }),
          ...(unrestorable === undefined ? {} : { unrestorable }),
          ...(deployed?.gitSha === undefined ? {} : { gitSha: deployed.gitSha }),
          ...(deployed?.description === undefined ? {} : { description: deployed.description }),
        };
      }),
    );
    const pin = await localRollbackPin(this.project);
    if (pin !== undefined)
      notes.push(
        `Rolled back to ${livePairLabel(pin.release, pin.restoredConfig)} (${pin.runId ?? 'rollback'})${pin.config === pin.restoredConfig ? '' : `, config ${configVersionLabel(pin.config)} live since`}: the stage stays on ${pin.release} until the next cnf-admin deploy --stage local.`,
      );
    return {
      stage: this.stage.name,
      platform: 'local',
      aliases: Object.entries(aliases).map(([name, pair]) => this.#pairStatus(name, pair)),
      ...(config === undefined ? {} : { config }),
      releases: infos,
      notes,
    };
  }

  #plan(
    alias: string | undefined,
    stored: StoredRelease,
    notices: string[],
    configVersion: number | undefined,
    configSource: NonNullable<InvokePlan['configSource']>,
  ): InvokePlan {
    const plan: InvokePlan = {
      stage: this.stage.name,
      alias,
      release: stored.release,
      webVersion: stored.release,
      adminVersion: stored.release,
      qualifier: stored.release,
      ...(configVersion === undefined ? {} : { configVersion, configSource }),
      notices,
    };
    this.#planned.set(plan, stored);
    return plan;
  }

  #pairStatus(name: string, pair: LocalAliasPair): AliasPairStatus {
    return { name, web: { version: pair.web, release: pair.web }, admin: { version: pair.admin, release: pair.admin } };
  }

  /** A stored release's record, read once per command (see {@link LocalPlatform.#releaseReads}). */
  #readRelease(release: string): Promise<StoredRelease | undefined> {
    let read = this.#releaseReads.get(release);
    if (read === undefined) {
      read = readRelease(this.#paths, release);
      this.#releaseReads.set(release, read);
    }
    return read;
  }

  async #storedRelease(release: string): Promise<StoredRelease> {
    const stored = await this.#readRelease(release);
    if (stored === undefined) {
      const known = (await listReleases(this.#paths)).map((entry) => entry.release).join(', ') || 'none';
      // A release the live pair once served was removed as old (or by hand): said so, not as a name never known.
      const served = await this.livePairs.servedBefore(release).catch(() => false);
      const where = relative(this.project.root, join(this.#paths.releases, release));
      const what = served
        ? `no longer holds release ${JSON.stringify(release)}, which the live pair has served (${where} is gone)`
        : `has no release ${JSON.stringify(release)}`;
      throw new UnavailableError(`The local stage ${what} (releases: ${known}).`, {
        // The releases it keeps are named above: the way on is one of them, or a release of the working tree.
        hint: `Name one the stage keeps (cnf-admin releases --stage local lists them), or deploy the working tree: cnf-admin deploy --stage local`,
      });
    }
    await assertBundleWhole(this.#paths, stored);
    return stored;
  }

  /** Says that the working tree differs from the release behind an alias pair, naming the first `shown` files that do. */
  #driftNotice(stored: StoredRelease, shown = 3, alias: string = DEFAULT_ALIAS): string | undefined {
    const difference = workingTreeDifference(this.project, stored);
    if (!difference.differs) return undefined;
    const files = difference.files.length === 0 ? '' : ` (${describeFiles(difference.files, shown)})`;
    const which = alias === DEFAULT_ALIAS ? 'the live release' : `the release behind web:${alias}`;
    const deploy = `cnf-admin deploy --stage local${alias === DEFAULT_ALIAS ? '' : ` --alias ${alias}`}`;
    return `The working tree differs from ${which} ${stored.release}${files}, which is what runs here. Deploy the tree with: ${deploy}`;
  }
}

export { LocalPlatform };
