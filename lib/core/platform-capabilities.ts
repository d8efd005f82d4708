/*
 * What a platform can do beyond the questions every platform answers
 * (lib/core/platform.ts). The CLI asks a platform for one of these optional
 * capabilities and gets undefined where the stage has none: it never tests
 * which class a platform is, casts one, or imports a platform's modules.
 */
import type { PolicyDocument } from './operator-permissions.js';
import type { Progress } from './progress.js';
import type { RunRecord } from './run.js';
import type { TaskCatalog } from './task-catalog.js';
import type { WorkingTreeDifference } from './working-tree-difference.js';

/** What a deploy of the working tree did: the release stored and where the alias pair moved. */
interface LocalDeployment {
  readonly stored: { readonly release: string; readonly catalog: TaskCatalog };
  /** Whether the release was built for the first time (else the same bytes were stored already). */
  readonly isNew: boolean;
  /** Whether the bundle was built: not when the alias pair's release was built from the working tree as it is. */
  readonly built: boolean;
  /** The release the alias pair pointed at before, if any. */
  readonly previous: string | undefined;
  readonly alias: string;
  /**
   * The sources the release is built from that the previous one was not
   * (files the tree imports since), relative to the project root, sorted.
   *
   * @default - none, or not known (no previous release, or one that records no sources)
   */
  readonly added?: readonly string[];
  /** The config version the live pair runs with after the deploy (the live one); undefined when the live pair did not move. */
  readonly config?: number;
  /** The config version the release was pinned to before, where the deploy pinned it to another (the live one). */
  readonly pinnedBefore?: number;
  /** The release a rollback held the stage on, where this deploy ended that hold. */
  readonly endedHold?: string;
  /**
   * The old releases the deploy removed, newest first: beyond the newest the
   * stage keeps, none that a pair serves or a running run uses.
   *
   * @default - none
   */
  readonly pruned?: readonly string[];
}

/** Where a rollback holds a stage: the pair it restored, by which run, since when. */
interface RollbackPin {
  readonly release: string;
  /** The live config version: the rollback's, or a config change's since. */
  readonly config: number;
  /** The config version the rollback itself restored. */
  readonly restoredConfig: number;
  readonly runId: string | undefined;
  /** ISO 8601. */
  readonly since: string;
}

/** A web function served on this machine by `cnf-admin serve`. */
interface WebServer {
  readonly url: string;
  readonly release: string;
  /** Its log lines (one per request, and whatever the handler logs), as they come. */
  readonly lines: AsyncIterable<string>;
  /** Resolves when the server process has ended. */
  readonly ended: Promise<void>;
  stop(): Promise<void>;
}

/** How a local deploy runs. */
interface LocalDeployOptions {
  /** Show the build as progress. */
  readonly showBuild?: boolean;
  /** Aborted when the user interrupts: the build ends, and the alias pair does not move (130). */
  readonly signal?: AbortSignal;
  /** Called as the alias pair starts to move: from then on an interrupt no longer stops the deploy, which finishes. */
  readonly onMove?: () => void;
  /**
   * Called with the release once it is built and stored, before the alias
   * pair moves: what it throws ends the deploy there, the pair where it was
   * (an `invoke` of a task the new release lacks moves nothing).
   */
  readonly check?: (release: string) => Promise<void>;
}

/**
 * A stage the CLI builds, deploys and serves on this machine (the local
 * stage): `deploy` builds the working tree, `serve` starts the web handler,
 * `invoke` may deploy the tree first. AWS stages deploy with CDK and have none.
 */
interface LocalStageCapability {
  /** Builds the working tree and moves the alias pair to it; `showBuild` says the build on the platform's progress. */
  deploy(alias?: string, options?: LocalDeployOptions): Promise<LocalDeployment>;
  /** Builds the working tree as a deploy would, and stores nothing: the release it would be and its catalog (`invoke --dry-run`). */
  buildWorkingTree(): Promise<{ readonly release: string; readonly catalog: TaskCatalog }>;
  /** How the working tree stands against the release an alias pair serves: undefined when there is no such pair yet. */
  workingTree(alias?: string): Promise<(WorkingTreeDifference & { readonly release: string }) | undefined>;
  /** The release a rollback holds the stage on until the next explicit deploy; undefined when none does. */
  rollbackPin(): Promise<RollbackPin | undefined>;
  /** Makes sure the embedded database serves, when the stage has one. */
  prepareDatabase(): Promise<void>;
  /** The release the web function of an alias pair serves, if the pair exists. */
  readAliasTarget(alias: string): Promise<string | undefined>;
  /** Whether nothing is deployed yet (no live pair, no release): a run deploys the working tree first, even with `autoDeploy` off. */
  nothingDeployed(): Promise<boolean>;
  /** Starts a process that serves the release's web handler over HTTP on `host:port` (`serve`). */
  startWebServer(release: string, host: string, port: number): Promise<WebServer>;
  /**
   * Stops a run on this machine, attached or detached, through the process that runs it.
   *
   * @param asked - called once the run has been asked to stop (a run that cannot be is refused first)
   * @returns the run's record once it has recorded its end
   */
  stop(runId: string, asked?: () => void): Promise<RunRecord>;
}

/**
 * What only a stage on a cloud account can do: stop a container task's run
 * and say the least-privilege policy an operator needs.
 */
interface CloudStageCapability {
  /**
   * Stops the container task that runs `runId`.
   *
   * @returns the stopped tasks' ARNs
   */
  stop(runId: string): Promise<string[]>;
  /** The least-privilege IAM policy an operator needs for this stage, read from the deployed stage. */
  policy(): Promise<PolicyDocument>;
}

/** What `cnf-admin db status` shows. */
interface EmbeddedDatabaseStatus {
  readonly running: boolean;
  /** The server's watcher (a shell process that stops PostgreSQL when told or idle), while it runs. */
  readonly pid?: number;
  /** PostgreSQL's postmaster, while it runs. */
  readonly postgresPid?: number;
  /** The port, once one was chosen. */
  readonly port?: number;
  readonly url?: string;
  readonly dataDir: string;
  /** Bytes under the data directory (0 before the first start). */
  readonly sizeBytes: number;
  /**
   * PostgreSQL's release, e.g. `18.4`: the server's while it runs, else the
   * installed one its next start runs; the data directory's major version
   * (`18`) alone where no binaries of that major are installed.
   */
  readonly version?: string;
  readonly startedAt?: string;
  /**
   * A PostgreSQL of the project's data directory that runs without its
   * watcher (the watcher was killed): not the running server (`running` is
   * false), but it holds the port and the data; `db stop`, or the next
   * start, ends it.
   */
  readonly orphanPostgresPid?: number;
}

/**
 * The embedded database of the local stage, as `cnf-admin db` manages it.
 * Stages whose database is the app's own have none.
 */
interface LocalDatabaseCapability {
  /** Where its data lives, as the reset confirmation names it. */
  readonly location: string;
  /**
   * Its status, without starting it.
   *
   * @throws UnavailableError naming the state file when it is corrupted.
   */
  status(): Promise<EmbeddedDatabaseStatus>;
  /** Its URL, starting it (and saying so on `progress`) when it is not running. */
  url(progress: Progress): Promise<string>;
  /** Stops it now; resolves to whether it ran. */
  stop(): Promise<boolean>;
  /** Stops it and deletes its data; resolves to whether there was data. */
  reset(): Promise<boolean>;
}

/**
 * Config keys the platform manages itself (the local stage's embedded
 * database URL): `config` shows them as managed and refuses to change them.
 */
interface ManagedConfigKeysCapability {
  /** The config key that holds the managed database URL, when there is one. */
  managedDatabaseKey(): string | undefined;
  /**
   * Refuses to change a managed key with `config set` or `config unset`.
   *
   * @throws UsageError (64) saying to use `cnf-admin db` instead.
   */
  assertUnmanagedKey(key: string, command: 'set' | 'unset'): void;
}

export type {
  LocalDeployOptions,
  CloudStageCapability,
  EmbeddedDatabaseStatus,
  LocalDatabaseCapability,
  LocalDeployment,
  LocalStageCapability,
  ManagedConfigKeysCapability,
  RollbackPin,
  WebServer,
};
