// The browser tests and benchmarks of `cnf-admin ui` drive Debian's chromium
// through playwright-core. `npm test` and `npm run bench` run this first:
// where chromium is missing and this machine can install Debian packages as
// root, it installs it (as tools/ensure-tmux.mjs does tmux); elsewhere it
// fails and says what to do, so that the browser tests never pass without a
// browser, and a benchmark run on a fresh machine does not stop at its last
// file.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = process.env.CNF_TEST_CHROMIUM ?? '/usr/bin/chromium';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const aptGet = (args) =>
  spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error(
      `The browser tests and benchmarks need chromium at ${CHROMIUM}. Install it (e.g. \`apt-get install chromium\`) and run the command again.`,
    );
    process.exit(1);
  }
  console.error('Installing chromium for the browser tests and benchmarks (apt-get) ...');
  // The package lists may be stale or absent (a fresh container): update them when the first try finds nothing.
  if (!aptGet(['install', '-y', '-qq', 'chromium']) && !(aptGet(['update', '-qq']) && aptGet(['install', '-y', '-qq', 'chromium']))) {
    console.error('apt-get install chromium failed: install chromium by hand and run the command again.');
    process.exit(1);
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`apt-get installed chromium, but not at ${CHROMIUM}: set CNF_TEST_CHROMIUM to its path.`);
    process.exit(1);
  }
}
