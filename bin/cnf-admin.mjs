#!/usr/bin/env node
// The cnf-admin command: a shim over the built CLI (npm ci builds it; so does npm run build).
// On Node 22.1 or later, Node keeps the CLI's compiled code on disk (module.enableCompileCache: in
// $NODE_COMPILE_CACHE or the system's temporary directory; NODE_DISABLE_COMPILE_CACHE=1 turns it
// off), so that a command after the first compiles less; Node 20 has no such cache.
// An `invoke` that may run here first starts the Node process a local run will use, so that it
// starts while the CLI loads (lib/platform/local/standby-runner.ts); no other command loads it.
const { createRequire, enableCompileCache } = await import('node:module');
enableCompileCache?.();
const argv = process.argv.slice(2);
if (argv[0] === 'invoke') {
  const standby = createRequire(import.meta.url)('../dist/standby.cjs');
  if (standby.mayRunHere(argv)) standby.standByRunner();
}
const { cli } = await import('../dist/cli.mjs');
process.exitCode = await cli(argv);
