/**
 * Carries one local run to its end after the CLI that started it with
 * `invoke --detach` has returned: the same path as an attached run (log
 * file, timeout, ledger), with nobody watching the frames.
 *
 * Usage: node local-detached.mjs, with a {@link DetachedRun} as JSON on stdin.
 */
import { ExitCode } from '../../core/exit-codes.js';
import { loadProject, stageOf } from '../../core/project.js';
import { STOP_SIGNALS } from '../../core/stop-signals.js';
import type { AdminEvent } from '../../core/run.js';
import { LocalPlatform } from './local-platform.js';
import { readStdin } from './read-stdin.js';

/** What the detached process is told. */
interface DetachedRun {
  readonly root: string;
  readonly stage: string;
  readonly release: string;
  readonly event: AdminEvent & { readonly runId: string };
}

async function main(): Promise<void> {
  const run = JSON.parse(await readStdin()) as DetachedRun;
  const project = loadProject(run.root);
  const platform = new LocalPlatform(project, stageOf(project, run.stage));
  // The run reads the config its plan named (the event's): pinned, or the live one for --config current; the release's
  // pinned version, resolved again here, would override it (and refuse a pinned version whose values are gone).
  const resolved = await platform.resolve({ release: run.release, config: 'current' });
  const plan = run.event.configVersion === undefined ? resolved : { ...resolved, configVersion: run.event.configVersion };
  // SIGINT (cnf-admin stop), SIGTERM or SIGHUP ask the run to stop, as Ctrl-C does an attached one; a second one forces it.
  const interrupt = new AbortController();
  const force = new AbortController();
  for (const name of STOP_SIGNALS) process.on(name, () => (interrupt.signal.aborted ? force.abort() : interrupt.abort()));
  for await (const frame of platform.invoke(plan, run.event, { signal: interrupt.signal, force: force.signal })) {
    if (frame.type === 'result') process.exitCode = frame.result.exitCode;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(ExitCode.SOFTWARE);
});

export type { DetachedRun };
