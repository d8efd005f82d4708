#!/bin/sh
':' //; if [ -n "$NODE_EXTRA_CA_CERTS" ] && [ -z "$NODE_USE_SYSTEM_CA" ] && [ "$1" != cdk-app ]; then case "$NODE_OPTIONS" in *--use-*-ca*) ;; *) export CNF_ADMIN_DEFERRED_CA_CERTS="$NODE_EXTRA_CA_CERTS" NODE_EXTRA_CA_CERTS= ;; esac; fi; exec node "$0" "$@"
// The cnf-admin command: a shim over the built CLI (npm ci builds it; so does npm run build).
//
// Run as a program (npx cnf-admin, node_modules/.bin/cnf-admin) it is a shell script first, whose
// second line starts Node on this very file, where Node reads that line as a string and a comment.
// It starts Node with NODE_EXTRA_CA_CERTS empty, and the file it named set aside: Node 20 reads that
// file, and builds its whole store of root certificates, as it starts (30 to 60 ms of every command
// on a 2-core machine), though only the commands that call AWS open a TLS connection. Below, the
// variable is put back at once, so every process the CLI starts gets it as it was, and the CLI's
// connections to AWS trust those certificates too (lib/core/deferred-ca-certificates.ts). Node reads
// them as usual where the certificate store is chosen (NODE_OPTIONS' --use-openssl-ca or
// --use-system-ca, NODE_USE_SYSTEM_CA), for `cdk-app`, which runs the app's CDK code (it may open
// connections of its own), and under `node bin/cnf-admin.cjs`, where the shell line is not run.
const deferredCaCertificates = process.env.CNF_ADMIN_DEFERRED_CA_CERTS;
if (deferredCaCertificates !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = deferredCaCertificates;
  delete process.env.CNF_ADMIN_DEFERRED_CA_CERTS;
}
// The CLI's CommonJS files run with V8's code cache of the command, written once the command has
// run (lib/cli/code-cache.ts: in the system's temporary directory, or $CNF_ADMIN_CODE_CACHE;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off). On Node 22.1 or later, Node's own compile cache keeps
// the packages Node loads (aws-cdk-lib for `cdk-app`, esbuild for a build) compiled too. This file
// is CommonJS, as the CLI is: Node starts a CommonJS program some 5 ms sooner than an ES module.
// An `invoke` that may run here first starts the Node process a local run will use, so that it
// starts while the CLI loads (lib/platform/local/standby-runner.ts); no other command loads it.
require('node:module').enableCompileCache?.();
const argv = process.argv.slice(2);
if (argv[0] === 'invoke') {
  const standby = require('../dist/standby.cjs');
  if (standby.mayRunHere(argv)) standby.standByRunner();
}
const { loadCli, keepCompiledCli } = require('../dist/load-cli.cjs');
const { cli, deferCaCertificates } = loadCli();
deferCaCertificates(deferredCaCertificates);
cli(argv).then((exitCode) => {
  process.exitCode = exitCode;
  keepCompiledCli();
});
