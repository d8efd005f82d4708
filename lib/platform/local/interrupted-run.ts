/**
 * The environment variable that tells a local run's process it was
 * interrupted before it started (while the embedded database started, say):
 * a signal sent before the process listens would kill it instead, so the
 * platform (`run-process.ts`) says it here, and the runner (`runner.ts`)
 * passes it on to the run, which records that its task did not run.
 */
const INTERRUPTED_VARIABLE = 'CNF_INTERRUPTED';

export { INTERRUPTED_VARIABLE };
