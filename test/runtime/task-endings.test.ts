/**
 * Ways a task ends, through the admin handler in-process, as Lambda and the
 * container runner call it: the outcome and the ledger record are the same
 * as on the local stage (test/e2e/run-outcomes.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAdminHandler, type AdminHandler } from '../../lib/runtime/admin-handler.js';
import { defineTask, type Task } from '../../lib/runtime/define-task.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../support/temp-dir.js';

let ledger: FileLedger;

function handlerOf(task: Task): AdminHandler {
  return createAdminHandler({ tasks: { [task.name]: async () => ({ default: task }) }, ledger });
}

beforeEach(() => {
  const dir = tempDir('cnf-endings');
  ledger = new FileLedger(dir);
  const parameters = join(dir, 'parameters.json');
  writeFileSync(parameters, JSON.stringify({ parameters: { API_TOKEN: { value: 'tok-s3cr3t-value', secure: true } } }));
  vi.stubEnv('CNF_PARAMETER_FILE', parameters);
  vi.stubEnv('CNF_RELEASE', 'r-0123456789ab');
  vi.stubEnv('CNF_STAGE', 'test');
  for (const stream of [process.stdout, process.stderr]) vi.spyOn(stream, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('how a task ends, in the handler', () => {
  it('process.exit(3) ends the run with 3, recorded, its lock given back, and the process lives on', async () => {
    const exits = defineTask({
      name: 'exits',
      description: 'Calls process.exit',
      options: { lock: true },
      run: async () => {
        process.exit(3);
      },
    });
    const original = process.exit;
    const result = await handlerOf(exits)({ task: 'exits', runId: 'exit-1' });
    expect(result.exitCode).toBe(3);
    expect(process.exit).toBe(original);
    expect(await ledger.get('exit-1')).toMatchObject({ exitCode: 3, endedAt: expect.any(String) });
    const holder = { runId: 'next', caller: 'bob', since: new Date().toISOString() };
    expect((await ledger.acquireLock('exits', holder)).acquired).toBe(true);
  });

  it('a lock that cannot be given back (a read-only disk): the run ends as the task did, with one warning', async () => {
    const acquire = ledger.acquireLock.bind(ledger);
    vi.spyOn(ledger, 'acquireLock').mockImplementation(async (name, holder) => {
      const result = await acquire(name, holder);
      if (result.acquired) vi.spyOn(result.lease, 'release').mockRejectedValue(new Error('EROFS: read-only file system'));
      return result;
    });
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.mocked(stream.write).mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    const locked = defineTask({ name: 'locked-ok', description: 'Locked, returns', options: { lock: true }, run: async () => 'done' });
    const result = await handlerOf(locked)({ task: 'locked-ok', runId: 'lock-kept' });
    expect(result).toMatchObject({ exitCode: 0, output: 'done' });
    expect(written.join('')).toContain("The task's lock could not be given back (EROFS: read-only file system)");
  });

  it('process.exit(99) is no task exit code: 1, as a task setting exitCode 99 gets', async () => {
    const exits = defineTask({
      name: 'exits-big',
      description: 'Calls process.exit with a reserved code',
      run: async () => {
        process.exit(99);
      },
    });
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    const result = await handlerOf(exits)({ task: 'exits-big' });
    expect(result).toMatchObject({ exitCode: 1, error: { name: 'TaskExitCodeError' } });
    // its warning says what the run ends with, not that it ends with 99
    expect(written.join('')).toContain("The task called process.exit(99): a task's exit code is 0..63, so the run fails (exit 1)");
    expect(written.join('')).not.toContain('the run ends with its code');
  });

  it('a promise that never settles ends with 124 at its timeout, after the grace', async () => {
    const stuck = defineTask({
      name: 'stuck',
      description: 'Never settles',
      options: { timeoutSeconds: 0.1 },
      run: () => new Promise(() => undefined),
    });
    const result = await handlerOf(stuck)({ task: 'stuck', runId: 'stuck-1' });
    expect(result).toMatchObject({
      exitCode: 124,
      error: { name: 'TimeoutError', message: expect.stringContaining('did not end within 2s') },
    });
    expect((await ledger.get('stuck-1'))?.exitCode).toBe(124);
  });

  it('keeps a result with a cycle, a BigInt and a secret in the ledger: JSON-safe and redacted', async () => {
    const returns = defineTask({
      name: 'returns',
      description: 'Returns an odd value',
      run: async ({ config }) => {
        const value: Record<string, unknown> = { token: config.API_TOKEN, count: 2n };
        value.self = value;
        return value;
      },
    });
    const result = await handlerOf(returns)({ task: 'returns', runId: 'result-1' });
    const expected = { token: '[redacted]', count: '2', self: '[Circular]' };
    expect(result).toMatchObject({ exitCode: 0, output: expected });
    expect((await ledger.get('result-1'))?.result).toEqual(expected);
  });

  it('a thrown Object.create(null) ends the run with 1 and a safe description', async () => {
    const throws = defineTask({
      name: 'throws',
      description: 'Throws a value with no prototype',
      run: async () => {
        throw Object.create(null);
      },
    });
    const result = await handlerOf(throws)({ task: 'throws' });
    expect(result).toMatchObject({
      exitCode: 1,
      error: { name: 'Error', message: 'A value that cannot be shown as text was thrown (object)' },
    });
  });

  it('an error whose cause chain comes back to itself ends the run with 1, recorded, its log line naming the causes once', async () => {
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const throws = defineTask({
      name: 'throws',
      description: 'Throws an error that is its own cause, through another',
      run: async ({ config }) => {
        const outer = new Error(`outer ${String(config.API_TOKEN)}`);
        outer.cause = new Error('inner', { cause: outer });
        throw outer;
      },
    });
    const result = await handlerOf(throws)({ task: 'throws', runId: 'cycle-1' });
    expect(result).toMatchObject({ exitCode: 1, error: { name: 'Error', message: 'outer [redacted]' } });
    expect(await ledger.get('cycle-1')).toMatchObject({ exitCode: 1, endedAt: expect.any(String) });
    const line = written
      .map((chunk) => chunk.split('\n'))
      .flat()
      .find((text) => text.includes('"inner"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ error: { message: 'outer [redacted]', cause: { message: 'inner' } } });
    expect(written.join('')).not.toContain('tok-s3cr3t-value');
  });
});
