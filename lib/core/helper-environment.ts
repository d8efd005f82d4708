/**
 * The environment of a Node process cnf-admin starts for its own work, not
 * an app's: the process that starts the embedded database, a detached run's watcher,
 * the bundle worker of a synth. It is the starting process's environment
 * without `NODE_EXTRA_CA_CERTS`: Node reads and parses that certificate file
 * as it starts, before any code runs (30 ms for a system bundle of 140
 * certificates on a 2-core machine, at each start), and these processes
 * open no TLS connection. The processes that run an app's code get the
 * environment Lambda would give them (`lambda-environment.ts`), which has
 * no such variable either: Lambda's Node 20 and later load no extra
 * certificates unless the function sets it.
 *
 * @example
 * spawn(process.execPath, [script], { env: helperEnvironment() });
 */
function helperEnvironment(extra: Readonly<NodeJS.ProcessEnv> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

export { helperEnvironment };
