import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LATE_ERRORS = fileURLToPath(new URL('../../../lib/platform/local/late-errors.ts', import.meta.url));

/** A Node process that takes the runner's listeners, then raises an error nothing handles and, a moment later, says it lived on. */
function processWithLateError(raise: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const { tellLateErrors } = await import(${JSON.stringify(LATE_ERRORS)});
    tellLateErrors();
    ${raise}
    setTimeout(() => process.stdout.write('result handed over'), 50);
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('tellLateErrors', () => {
  it('an error event no one listens for, after the run: one line on stderr, and the process goes on to hand over its result', () => {
    const result = processWithLateError(
      "const { EventEmitter } = await import('node:events'); setTimeout(() => new EventEmitter().emit('error', new Error('Connection terminated unexpectedly')), 0);",
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('result handed over');
    expect(result.stderr).toBe(
      "An error the task's code left unhandled outside its run (Error: Connection terminated unexpectedly); the run's result stands.\n",
    );
  });

  it('a rejection no one handles: the same', () => {
    const result = processWithLateError("Promise.reject(new TypeError('late'));");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('result handed over');
    expect(result.stderr).toContain('(TypeError: late)');
  });
});
