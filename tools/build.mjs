// `npm run build`: everything the package ships in dist/, from scratch.
// npm runs it on `npm ci` and `npm install` in this repo (prepare) and before
// `npm pack` and `npm publish` (prepack); the tests and benchmarks run it too.
// Before a pack, a dist/ that is current (its stamp says it was built from
// the sources as they are, and is unchanged since) is packed as built.
//
//   dist/cli.cjs, dist/chunks/, dist/load-cli.cjs, dist/local-*.mjs   the CLI, bundled by esbuild and written as CommonJS by rolldown, what runs it with V8's code cache, and its helper processes and shell scripts (tools/build-cli.mjs)
//   dist/lib/                                      the library entries, compiled by tsc (tools/build-library.mjs)
//   dist/ui/                                       the page of `cnf-admin ui`, bundled by esbuild (tools/build-ui.mjs)
//   dist/.build-stamp                              what dist/ was built from, so that npm test skips a build it needs not (tools/build-stamp.mjs)
import { rm } from 'node:fs/promises';
import { buildCli } from './build-cli.mjs';
import { buildLibrary } from './build-library.mjs';
import { distIsCurrent, inputsDigest, writeBuildStamp } from './build-stamp.mjs';
import { buildUi } from './build-ui.mjs';

// `npm pack` and `npm publish` run prepack, then prepare: the first build is enough.
const { npm_command: command, npm_lifecycle_event: event } = process.env;
if (event === 'prepare' && (command === 'pack' || command === 'publish')) process.exit(0);
if (event === 'prepack' && distIsCurrent()) {
  process.stderr.write('· dist/ is built from the sources as they are: packed as built\n');
  process.exit(0);
}

// Seconds of work: said in a line, so that npm pack, npm ci and npm test never wait in silence.
const started = Date.now();
process.stderr.write('· Building cnf-admin into dist/ (esbuild and tsc)\n');
const inputs = inputsDigest();
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await Promise.all([buildCli(), buildLibrary(), buildUi()]);
writeBuildStamp(inputs);
process.stderr.write(`· Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
