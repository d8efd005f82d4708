// `npm test [-- <vitest args>]`: the whole suite, or the projects named with
// --project (see docs/testing.md). The end-to-end projects spawn the built
// binary, tmux, chromium and PostgreSQL, so they get tmux, chromium and a
// current dist/ first (built only when dist/.build-stamp says the sources
// changed since: tools/build-stamp.mjs). The type check and the API report run
// alongside vitest, filling the processor while tests wait on processes;
// their output is shown when they fail, after vitest's. `npm test -- --project
// unit` goes straight to vitest, a loop of seconds.
import { spawn, spawnSync } from 'node:child_process';
import { distIsCurrent } from './build-stamp.mjs';

const args = process.argv.slice(2);
const projects = args.flatMap((arg, index) =>
  arg === '--project' ? [args[index + 1]] : arg.startsWith('--project=') ? [arg.slice('--project='.length)] : [],
);
const onlyUnit = projects.length > 0 && projects.every((name) => name === 'unit');

const run = (command, commandArgs) => {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

/** Runs a command with its output kept, not shown: resolves to its exit code and what it wrote. */
const runQuietly = (command, commandArgs) =>
  new Promise((resolve) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => resolve({ code: 1, output: String(error) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(output).toString() }));
  });

/** Runs a command with the terminal: resolves to its exit code. */
const runShown = (command, commandArgs) =>
  new Promise((resolve) => {
    const child = spawn(command, commandArgs, { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const checks = [];
if (!onlyUnit) {
  run(process.execPath, ['tools/ensure-tmux.mjs']);
  run(process.execPath, ['tools/ensure-chromium.mjs']);
  if (distIsCurrent()) process.stderr.write('· dist/ is current, not rebuilt\n');
  else {
    process.stderr.write('· dist/ is not built from the sources as they are: building it\n');
    run('npm', ['run', 'build']);
  }
  for (const script of ['typecheck', 'api:check']) checks.push({ script, result: runQuietly('npm', ['run', script]) });
}
const vitest = await runShown('npx', ['vitest', 'run', ...args]);
let code = vitest;
for (const { script, result } of checks) {
  const { code: checkCode, output } = await result;
  if (checkCode === 0) {
    process.stderr.write(`· npm run ${script}: passed\n`);
    continue;
  }
  process.stderr.write(`\n· npm run ${script} failed (exit ${checkCode}):\n${output}`);
  if (code === 0) code = checkCode;
}
process.exitCode = code;
