// TypeScript 7, the native compiler (package.json names it @typescript/native; `typescript` is TypeScript 6,
// for its API), run as the build and `npm run typecheck` run it: `node tools/tsc.mjs <tsc arguments>`.
//
// It is a Go program that checks with four checkers at once by default, each with its own copy of the
// global types: on a 2-core machine that is a third more processor time for no less wall time (the
// repository's type check: 8.4 s of processor time and 4.6 s of wall time with four, 6.0 s and 4.2 s
// with one; 2026-12-07). So it gets one checker per core but one, at least one and at most four, and
// Go's collector the room esbuild gets (lib/bundle/esbuild-collector.ts), unless the environment sets
// GOGC.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tsc = join(dirname(createRequire(import.meta.url).resolve('@typescript/native/package.json')), 'bin/tsc');
const checkers = String(Math.min(4, Math.max(1, availableParallelism() - 1)));

/**
 * Runs tsc with `args` in `cwd`: its exit code and what it wrote, or, with `inherit`, its output on this
 * process's.
 */
function runTsc(args, { cwd, inherit = false }) {
  const env = { ...process.env, GOGC: process.env.GOGC || '400' };
  const child = spawn(process.execPath, [tsc, '--checkers', checkers, ...args], { cwd, env, stdio: inherit ? 'inherit' : 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { code } = await runTsc(process.argv.slice(2), { cwd: process.cwd(), inherit: true });
  process.exitCode = code;
}

export { runTsc };
