import { spawn } from 'node:child_process';

/*
 * The watch, as a POSIX shell script: while the run's process lives, it
 * looks once a second for the process that owns the run (the CLI). Once that
 * is gone, it asks the run to stop as Ctrl-C would (SIGINT), and if the run's
 * process still lives `grace` seconds later, kills it and its process group.
 * It ends with the run's process.
 */
const WATCH_SCRIPT = `
owner=$1 runner=$2 grace=$3
while kill -0 "$runner" 2>/dev/null; do
  if ! kill -0 "$owner" 2>/dev/null; then
    kill -INT "$runner" 2>/dev/null
    sleep "$grace"
    if kill -0 "$runner" 2>/dev/null; then kill -KILL -"$runner" 2>/dev/null || kill -KILL "$runner" 2>/dev/null; fi
    exit 0
  fi
  sleep 1
done
`;

/**
 * Keeps a run's process from outliving the CLI that owns it, even when its
 * task blocks the process's one thread (`for (;;) {}`), where a check of the
 * owner on that thread never runs: a small shell process watches (a process
 * of a few milliseconds, where a watching thread would cost the run's start
 * some 30 ms of processor time). Once the owner is gone the run is asked to
 * stop, and killed `graceMs` later if it has not. Its record then names an
 * owner and a process that are both gone, and reads as lost (130) at once.
 *
 * Where there is no `/bin/sh`, there is no watch, and nothing fails.
 *
 * @param ownerPid - the process that owns the run (the run's parent)
 * @param graceMs - how long the run gets to stop on its own
 */
function watchForOrphaning(ownerPid: number, graceMs: number): void {
  const args = ['-c', WATCH_SCRIPT, 'cnf-admin-run-watch', String(ownerPid), String(process.pid), String(Math.ceil(graceMs / 1000))];
  const watch = spawn('/bin/sh', args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  watch.once('error', () => undefined);
  watch.unref();
}

export { watchForOrphaning };
