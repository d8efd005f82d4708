// `npm test [-- <vitest args>]`: the whole suite, or the projects named with
// --project (see docs/testing.md). The end-to-end projects spawn the built
// binary, tmux, chromium and PostgreSQL, so they get the build, tmux, chromium, the typecheck and
// the API report first; `npm test -- --project unit` goes straight to vitest,
// a loop of seconds.
import { spawnSync } from 'node:child_process';

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
  run('npm', ['run', 'build']);
  run('npm', ['run', 'typecheck']);
  run('npm', ['run', 'api:check']);
}
run('npx', ['vitest', 'run', ...args]);
