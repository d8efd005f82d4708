// `npm test [-- <vitest args>]`: the whole suite, or the projects named with
// --project (see docs/testing.md). The end-to-end projects spawn the built
// binary, tmux, chromium and PostgreSQL, so they get tmux, chromium and a
// current dist/ first (built only when dist/.build-stamp says the sources
// changed since: tools/build-stamp.mjs). The type check and the API reports
// are end-to-end tests (test/package/static-checks.e2e.test.ts), so that they
// fill the processor while other tests wait on processes. `npm test --
// --project unit` goes straight to vitest, a loop of seconds. Vitest gets a
// temporary directory of its own on a memory file system where there is one
// (tools/test-tmpdir.mjs), removed when it ends.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { distIsCurrent } from './build-stamp.mjs';
import { suiteTmpdir } from './test-tmpdir.mjs';

const args = process.argv.slice(2);
const projects = args.flatMap((arg, index) =>
  arg === '--project' ? [args[index + 1]] : arg.startsWith('--project=') ? [arg.slice('--project='.length)] : [],
);
const onlyUnit = projects.length > 0 && projects.every((name) => name === 'unit');

const run = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!onlyUnit) {
  run(process.execPath, ['tools/ensure-tmux.mjs']);
  run(process.execPath, ['tools/ensure-chromium.mjs']);
  if (distIsCurrent()) process.stderr.write('· dist/ is current, not rebuilt\n');
  else {
    process.stderr.write('· dist/ is not built from the sources as they are: building it\n');
    run('npm', ['run', 'build']);
  }
}
const tmp = suiteTmpdir((message) => process.stderr.write(`· ${message}\n`));
if (tmp === undefined) run('npx', ['vitest', 'run', ...args]);
else {
  process.stderr.write(`· temporary files in ${tmp.dir} (tmpfs), removed at the end\n`);
  const vitest = spawn('npx', ['vitest', 'run', ...args], { stdio: 'inherit', env: { ...process.env, TMPDIR: tmp.dir } });
  // Ctrl-C reaches vitest too (the terminal signals the whole group); a SIGTERM or SIGHUP sent to this process alone is passed on.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => vitest.kill(signal));
  vitest.on('error', (error) => {
    process.stderr.write(`· vitest did not start: ${error.message}\n`);
    tmp.remove();
    process.exitCode = 1;
  });
  vitest.on('close', (code, signal) => {
    tmp.remove();
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}
