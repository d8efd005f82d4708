/**
 * How long a local run gets to end on its own once interrupted (Ctrl-C, or
 * the CLI that ran it gone) before its process is killed: the 8 s the
 * runtime gives an interrupted task, and a little more. The CLI's
 * supervision of a run (run-process.ts) and a run's own watch for an
 * orphaned process (runner.ts) both wait this long.
 */
const LOCAL_INTERRUPT_GRACE_MS = 10_000;

export { LOCAL_INTERRUPT_GRACE_MS };
