import { UNCAUGHT_ERROR_EVENTS } from '../../runtime/uncaught-errors.js';

/**
 * Keeps a run's process alive, and its result whole, when the task's code
 * raises an error nothing handles outside a run: after the run ended (a
 * database client told, a moment later, that its server went away, with no
 * `error` listener), or between a console session's evaluations. Node would
 * print its fatal report and end the process before it could hand over the
 * run's result, so that a run that ended with its own exit code would read
 * as crashed. The error is told in one line on stderr instead (which the CLI
 * redacts as all of the run's output); the run's result stands.
 *
 * While a run goes on, the runtime sets these listeners aside and the error
 * is the run's (`lib/runtime/uncaught-errors.ts`).
 */
function tellLateErrors(write: (line: string) => void = (line) => process.stderr.write(line)): void {
  const tell = (error: unknown): void => {
    const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    write(`An error the task's code left unhandled outside its run (${described}); the run's result stands.\n`);
  };
  for (const event of UNCAUGHT_ERROR_EVENTS) process.on(event, tell);
}

export { tellLateErrors };
