/**
 * A local run's process, started before the CLI knows what it will run.
 *
 * Node takes tens of milliseconds to start, and a release's bundle as long
 * to load; the CLI spends as long loading itself and checking the stage
 * before a local `invoke` runs anything. So the command's shim
 * (`bin/cnf-admin.cjs`) starts a standby runner first, on the other core,
 * and it waits on stdin for messages (`standby-message.ts`):
 *
 * 1. Once the input is checked and the stage known to be local
 *    (`prepare-run.ts`, before the rest of `invoke` loads), the CLI tells
 *    the runner to load the release the run will most likely use (the live
 *    one, or the one `--release` names): its environment and directory, as
 *    Lambda's init phase loads a function's code before any event; then
 *    the module of the task the command names (`AdminHandler.preload`).
 * 2. The run's message brings its whole environment and its event; the
 *    runner takes them on and goes on exactly as a runner spawned for the
 *    run would (`runner.ts`).
 *
 * A standby that loaded another release than the run's, or that has ended,
 * is let go (killed, when it loaded one), and the run starts a process of
 * its own. One never used ends with the CLI: its stdin closes empty, or,
 * when it loaded a release, it is killed at the CLI's exit. It starts with the environment
 * every local run shares, and nothing of the shell's (`lambda-environment.ts`).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { toolRoot } from '../../core/tool-root.js';
import { cnfEnvironment } from '../../core/cnf-environment.js';
import { optionWords } from '../../core/option-words.js';
import { baseEnvironment } from './lambda-environment.js';
import type { StandbyMessage } from './standby-message.js';

/** A local runner's command line after `node` (a run's, a standby's, a console session's before its flag): source maps on, as Lambda's Node runs with them. */
function runnerArguments(): string[] {
  return ['--enable-source-maps', join(toolRoot(), 'dist', 'local-runner.mjs')];
}

/** A runner's process: stdin, stdout and stderr piped (and fd 3, its result). */
type RunnerProcess = ChildProcessByStdio<Writable, Readable, Readable>;

interface Standby {
  readonly child: RunnerProcess;
  /** The bundle it was told to load, if it was. */
  loaded?: string;
  failed: boolean;
}

/*
 * The standby of this process. The command's shim loads this module as
 * CommonJS (dist/standby.cjs: Node loads it, and the built-ins it needs,
 * sooner than an ES module) to start the runner before the CLI; the CLI's
 * own chunks hold another copy of it. Both keep the standby here.
 */
const SLOT = Symbol.for('cnf-admin.standby-runner');
const slot: { standby?: Standby } = ((globalThis as { [SLOT]?: { standby?: Standby } })[SLOT] ??= {});

function streamsOf(child: RunnerProcess): Socket[] {
  return child.stdio.filter((stream) => stream !== null) as Socket[];
}

/**
 * Whether an `invoke` command line may run its task on this machine, as far
 * as its words tell before anything loads: not a dry run, not a detached run
 * (its watcher starts a process of its own), and no stage named other than
 * `local` (an AWS stage, as a rule; a local stage of another name starts its
 * own process when it runs). The command's shim starts a standby runner only
 * then: elsewhere it would start, and end, for nothing.
 *
 * @example
 * mayRunHere(['invoke', 'migrate']); // true
 * mayRunHere(['invoke', 'migrate', '--stage', 'prod']); // false
 */
function mayRunHere(argv: readonly string[]): boolean {
  const flags = optionWords(argv);
  const at = flags.findIndex((word) => word === '--stage' || word === '-s');
  const stage = at === -1 ? flags.find((word) => word.startsWith('--stage='))?.slice('--stage='.length) : flags[at + 1];
  return !flags.includes('--dry-run') && !flags.includes('--detach') && (stage === undefined || stage === 'local');
}

/**
 * Starts a standby runner, unless one waits already. It keeps nothing
 * alive: until it is taken, the CLI may end without waiting for it (its
 * stdin then closes, and it ends).
 */
function standByRunner(): void {
  if (slot.standby !== undefined) return;
  const child = spawn(process.execPath, runnerArguments(), {
    env: { ...baseEnvironment(), ...cnfEnvironment({ standbyRunner: true }) },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // Its own process group, as every local run: Ctrl-C reaches the CLI only.
    detached: true,
  });
  const waiting: Standby = { child, failed: false };
  child.once('error', () => {
    waiting.failed = true;
  });
  child.stdin.on('error', () => undefined);
  child.unref();
  for (const stream of streamsOf(child)) stream.unref();
  slot.standby = waiting;
}

/** Whether a standby runner waits that has not been told what to load. */
function standbyAwaitsRelease(): boolean {
  return slot.standby !== undefined && slot.standby.loaded === undefined && isUsable(slot.standby);
}

/**
 * Tells the waiting standby runner to load a release now: its bundle
 * directory and the environment a run of it has (without what only a run
 * has: its log, its owner), then the module of `task`. Nothing happens when
 * no standby waits, or when it was told already.
 */
function loadInStandbyRunner(bundleDir: string, env: Readonly<NodeJS.ProcessEnv>, task: string): void {
  if (slot.standby === undefined || !standbyAwaitsRelease()) return;
  const message: StandbyMessage = { env, cwd: bundleDir, task };
  slot.standby.child.stdin.write(`${JSON.stringify(message)}\n`);
  slot.standby.loaded = bundleDir;
  process.once('exit', killLoadedStandby);
}

/**
 * A standby that was told to load a release runs the release's code: one
 * the CLI leaves without taking it is killed, so that nothing that code
 * does (a loop, a timer) keeps it alive once the CLI has gone.
 */
function killLoadedStandby(): void {
  if (slot.standby?.loaded !== undefined) slot.standby.child.kill('SIGKILL');
}

function isUsable(waiting: Standby): boolean {
  return !waiting.failed && waiting.child.exitCode === null && waiting.child.signalCode === null;
}

/**
 * The standby runner, for a run of the release in `bundleDir` to use, when
 * one waits, is alive, and has loaded that release or none; it keeps the
 * CLI alive again from here. Undefined when there is none (a standby that
 * loaded another release is let go): the caller spawns a runner of its own.
 */
function takeStandbyRunner(bundleDir: string): RunnerProcess | undefined {
  const waiting = slot.standby;
  slot.standby = undefined;
  if (waiting === undefined) return undefined;
  if (!isUsable(waiting) || (waiting.loaded !== undefined && waiting.loaded !== bundleDir)) {
    letGo(waiting);
    return undefined;
  }
  process.off('exit', killLoadedStandby);
  waiting.child.ref();
  for (const stream of streamsOf(waiting.child)) stream.ref();
  return waiting.child;
}

/** Lets an unused standby runner go now (a command that will run nothing here): its stdin closes, and it ends. */
function releaseStandbyRunner(): void {
  const waiting = slot.standby;
  slot.standby = undefined;
  if (waiting !== undefined) letGo(waiting);
}

/** Ends a standby not taken: one that loaded a release is killed (it runs that release's code), one that did not gets its stdin closed. */
function letGo(waiting: Standby): void {
  process.off('exit', killLoadedStandby);
  if (waiting.loaded !== undefined) waiting.child.kill('SIGKILL');
  waiting.child.stdin.end();
  for (const stream of waiting.child.stdio.slice(1)) stream?.destroy();
}

export { loadInStandbyRunner, mayRunHere, releaseStandbyRunner, runnerArguments, standByRunner, standbyAwaitsRelease, takeStandbyRunner };
