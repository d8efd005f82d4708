/**
 * Ctrl-C, and the signals a terminal or a supervisor sends when it goes away
 * or wants the process to stop: a process that runs a run (the CLI, the
 * local stage's detached supervisor) takes each as a request to stop the
 * run, so that it ends, and records its end, instead of being orphaned.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export { STOP_SIGNALS };
