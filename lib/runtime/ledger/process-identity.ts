import { hostname } from 'node:os';
import { readCnfEnvironment, writeCnfEnvironment } from '../../core/cnf-environment.js';
import type { RunOwner } from '../../core/run.js';
import { processStartTime } from '../../core/run-owner-liveness.js';

/** This process, as a {@link RunOwner}. */
function currentProcessOwner(): RunOwner {
  return { pid: process.pid, startTime: processStartTime(process.pid) ?? 'unknown', host: hostname() };
}

/**
 * The owner the environment names (`CNF_RUN_OWNER`, a {@link RunOwner} as
 * JSON: the local stage's runner tells the admin handler which process owns
 * the run, and the handler records it), if it names a well-formed one.
 */
function ownerFromEnvironment(env: NodeJS.ProcessEnv = process.env): RunOwner | undefined {
  const text = readCnfEnvironment(env).runOwner;
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RunOwner>;
    if (typeof value.pid !== 'number' || typeof value.startTime !== 'string' || typeof value.host !== 'string') return undefined;
    const runner = value.runner;
    const known = typeof runner?.pid === 'number' && typeof runner.startTime === 'string';
    return {
      pid: value.pid,
      startTime: value.startTime,
      host: value.host,
      ...(known ? { runner: { pid: runner.pid, startTime: runner.startTime } } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Adds this process, as the run's own process, to the owner the environment
 * names (`CNF_RUN_OWNER`); the local stage's runner calls it
 * before the handler reads the variable.
 */
function addRunnerToOwner(env: NodeJS.ProcessEnv = process.env): void {
  const owner = ownerFromEnvironment(env);
  if (owner === undefined) return;
  const runner = { pid: process.pid, startTime: processStartTime(process.pid) ?? 'unknown' };
  writeCnfEnvironment(env, { runOwner: JSON.stringify({ ...owner, runner } satisfies RunOwner) });
}

export { addRunnerToOwner, currentProcessOwner, ownerFromEnvironment };
