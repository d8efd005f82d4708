#!/usr/bin/env node
// The cnf-admin command: a shim over the built CLI (npm ci builds it; so does npm run build).
// An `invoke` that may run here first starts the Node process a local run will use, so that it
// starts while the CLI loads (lib/platform/local/standby-runner.ts); no other command loads it.
const argv = process.argv.slice(2);
if (argv[0] === 'invoke') {
  const { createRequire } = await import('node:module');
  const standby = createRequire(import.meta.url)('../dist/standby.cjs');
  if (standby.mayRunHere(argv)) standby.standByRunner();
}
const { cli } = await import('../dist/cli.mjs');
process.exitCode = await cli(argv);
