/**
 * How the user runs cnf-admin, for the commands a hint suggests: `npx
 * cnf-admin` when npm started the process (`npx cnf-admin …`, `npx cdk
 * synth`, or a package.json script), where a bare `cnf-admin` is not on the
 * PATH; `cnf-admin` otherwise.
 *
 * npm sets `npm_command` (`exec` for npx) and `npm_lifecycle_event` (a
 * script's name) in the environment of what it runs, and its children inherit them.
 *
 * @example
 * invocationOf({ npm_command: 'exec' }); // 'npx cnf-admin'
 */
function invocationOf(env: NodeJS.ProcessEnv): string {
  return env.npm_command !== undefined || env.npm_lifecycle_event !== undefined ? 'npx cnf-admin' : 'cnf-admin';
}

export { invocationOf };
