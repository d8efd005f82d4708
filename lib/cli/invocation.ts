/**
 * How the user runs cnf-admin, for the commands a hint suggests: `npx
 * cnf-admin` when npm started it (`npx cnf-admin …`, or a package.json
 * script), where a bare `cnf-admin` is not on the PATH; `cnf-admin` otherwise.
 *
 * npm sets `npm_command` (`exec` for npx) and `npm_lifecycle_event` (a
 * script's name) in the environment of what it runs.
 */
function invocationOf(env: NodeJS.ProcessEnv): string {
  return env.npm_command !== undefined || env.npm_lifecycle_event !== undefined ? 'npx cnf-admin' : 'cnf-admin';
}

/**
 * A hint's text with its suggested commands written the way the user runs
 * cnf-admin: `See the runs with: cnf-admin runs` becomes `… npx cnf-admin runs`.
 */
function asInvoked(text: string, env: NodeJS.ProcessEnv): string {
  const invocation = invocationOf(env);
  if (invocation === 'cnf-admin') return text;
  return text.replace(/(^|[\s(`'"])(?<!npx )cnf-admin (?=[a-z<])/g, `$1${invocation} `);
}

export { asInvoked, invocationOf };
