import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { RunRecord } from '../../lib/core/run.js';
import { createAdminHandler, type AdminHandler } from '../../lib/runtime/admin-handler.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import type { RunLedger } from '../../lib/runtime/ledger/run-ledger.js';
import { tempDir } from '../support/temp-dir.js';

let dir: string;
let ledger: FileLedger;
let logLines: string[];
let ran: string[];

const purge = defineTask({
  name: 'notes:purge',
  description: 'Delete old notes',
  args: z.strictObject({ olderThanDays: z.number().int().min(1), dryRun: z.boolean().default(false) }),
  run: async ({ args, log, config }) => {
    ran.push('notes:purge');
    log.info(`purging with ${config.DATABASE_URL}`);
    return { deleted: args.dryRun ? 0 : args.olderThanDays };
  },
});

class InventoryError extends Error {
  override name = 'InventoryError';
}

const tasks = {
  'notes:purge': async () => ({ default: purge }),
  fail: async () => ({
    default: defineTask({
      name: 'fail',
      description: 'Throws',
      run: async () => {
        ran.push('fail');
        throw new InventoryError('3 rows disagree');
      },
    }),
  }),
  code: async () => ({
    default: defineTask({
      name: 'code',
      description: 'Sets an exit code',
      args: z.strictObject({ code: z.number() }),
      run: async (context) => {
        context.exitCode = context.args.code;
      },
    }),
  }),
  slow: async () => ({
    default: defineTask({
      name: 'slow',
      description: 'Stops at its timeout',
      options: { timeoutSeconds: 0.2 },
      run: async ({ signal }) => {
        await sleep(10_000, undefined, { signal });
      },
    }),
  }),
  query: async () => ({
    default: defineTask({
      name: 'query',
      description: 'Takes a filter object',
      args: z.strictObject({ filter: z.record(z.string(), z.unknown()) }),
      run: async () => {
        ran.push('query');
      },
    }),
  }),
  stubborn: async () => ({
    default: defineTask({
      name: 'stubborn',
      description: 'Waits to be told to stop, then does as its mode says',
      args: z.strictObject({ mode: z.enum(['ignore', 'own-error', 'throw-reason']) }),
      run: async (context) => {
        ran.push('stubborn');
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
        if (context.args.mode === 'throw-reason') context.signal.throwIfAborted();
        if (context.args.mode === 'own-error') throw new InventoryError('cleanup failed');
        context.exitCode = 5;
      },
    }),
  }),
  locked: async () => ({
    default: defineTask({
      name: 'locked',
      description: 'Holds a lock',
      options: { lock: true },
      run: async () => {
        ran.push('locked');
        await sleep(1000);
      },
    }),
  }),
};

/** Resolves once `condition` holds: the other run has provably started. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

function handlerWith(options: { ledger?: RunLedger } = {}): AdminHandler {
  return createAdminHandler({ tasks, ledger: options.ledger ?? ledger });
}

beforeEach(() => {
  dir = tempDir('cnf-handler');
  ledger = new FileLedger(dir);
  const parameters = join(dir, 'parameters.json');
  writeFileSync(
    parameters,
    JSON.stringify({
      parameters: { DATABASE_URL: { value: 'postgres://app:hunter22@db/app', secure: true }, MODE: { value: 'test', secure: false } },
    }),
  );
  vi.stubEnv('CNF_PARAMETER_FILE', parameters);
  vi.stubEnv('CNF_RELEASE', 'r-0123456789ab');
  vi.stubEnv('CNF_STAGE', 'test');
  ran = [];
  logLines = [];
  // The structured logger writes INFO to stdout and WARN/ERROR to stderr, as in Lambda.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('the admin handler', () => {
  it('runs a task from the short console event and returns the run result', async () => {
    // given a console test event with only a task
    const handler = handlerWith();
    // when it runs
    const result = await handler({ task: 'notes:purge', args: { olderThanDays: 3 } });
    // then the result follows the contract and the run is recorded
    expect(result).toMatchObject({ task: 'notes:purge', release: 'r-0123456789ab', exitCode: 0, output: { deleted: 3 } });
    expect(result.runId).toMatch(/^\d{8}-\d{6}-[a-z0-9]{6}$/);
    const record = (await ledger.get(result.runId)) as RunRecord;
    expect(record).toMatchObject({
      task: 'notes:purge',
      source: 'console',
      caller: 'lambda-console',
      exitCode: 0,
      args: { olderThanDays: 3 },
    });
    expect(record.configFingerprint).toMatch(/^cfg-[0-9a-f]{12}$/);
  });

  it('reads args from argv with the task schema, beside args', async () => {
    const result = await handlerWith()({ task: 'notes:purge', args: { dryRun: true }, argv: ['--older-than-days', '9'] });
    expect(result.exitCode).toBe(0);
    expect(result.output).toEqual({ deleted: 0 });
    expect((await ledger.get(result.runId))?.args).toEqual({ olderThanDays: 9, dryRun: true });
  });

  it('records args one way, as the schema parsed them with defaults, whether they came as JSON or as flags', async () => {
    const handler = handlerWith();
    const fromJson = await handler({ task: 'notes:purge', args: { olderThanDays: 9 } });
    const fromFlags = await handler({ task: 'notes:purge', argv: ['--older-than-days', '9'] });
    expect((await ledger.get(fromJson.runId))?.args).toEqual({ olderThanDays: 9, dryRun: false });
    expect((await ledger.get(fromFlags.runId))?.args).toEqual({ olderThanDays: 9, dryRun: false });
  });

  it.each([
    [{ args: {}, source: 'cli' }, 'Invalid args for notes:purge: missing --older-than-days <integer>'],
    [{ argv: ['--dry-run'] }, 'Invalid args for notes:purge: missing --older-than-days <integer>'],
    [{ argv: ['--older-than-days', '0'] }, 'Invalid args for notes:purge: --older-than-days: Too small'],
    [{ args: {}, source: 'console' }, 'Invalid args for notes:purge: olderThanDays: missing (expected number)'],
    [{ args: { olderThanDays: 0 }, source: 'cli' }, 'Invalid args for notes:purge: olderThanDays: Too small'],
  ])('speaks of args in flags where they came, or would come, as flags, and by JSON path otherwise: %j', async (event, message) => {
    const result = await handlerWith()({ task: 'notes:purge', ...event });
    expect(result.exitCode).toBe(64);
    expect(result.error?.message).toContain(message);
  });

  it.each([
    [
      { args: { olderThanDays: 1 }, argv: ['--older-than-days', '2'] },
      '--older-than-days is given twice: in the JSON args (olderThanDays: 1) and as a flag',
    ],
    [{ argv: ['--older-than-days', '1', '--older-than-days', '2'] }, '--older-than-days is given more than once'],
    [{ argv: ['--older-than-days', '1', '--dry-run', '--no-dry-run'] }, '--dry-run and --no-dry-run contradict each other'],
    [{ argv: ['--older-than-days', '0x10'] }, '--older-than-days takes an integer in decimal digits, got: "0x10"'],
  ])('refuses args given twice, or contradicting, or not in decimal: %j', async (event, message) => {
    const result = await handlerWith()({ task: 'notes:purge', ...event });
    expect(result).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(result.error?.message).toContain(message);
    expect(ran).toEqual([]);
    expect(await ledger.list()).toEqual([]);
  });

  it('names the flag the task does not take on its refusal (unknownArg), and no flag on any other refusal of args', async () => {
    // given / when
    const unknown = await handlerWith()({ task: 'notes:purge', argv: ['--older-than-days', '1', '--json'] });
    const badValue = await handlerWith()({ task: 'notes:purge', argv: ['--older-than-days', 'soon'] });

    // then
    expect(unknown).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs', unknownArg: '--json' } });
    expect(unknown.error?.message).toMatch(/^Unknown arg --json for task notes:purge; /);
    expect(badValue).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(badValue.error).not.toHaveProperty('unknownArg');
    expect(ran).toEqual([]);
  });

  it('names the fields of JSON args that fail the schema on its refusal, each with its problem, and none named as flags', async () => {
    // given / when
    const json = await handlerWith()({ task: 'notes:purge', args: { olderThanDays: 0 } });
    const flags = await handlerWith()({ task: 'notes:purge', argv: ['--older-than-days', '0'] });

    // then
    expect(json).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(json.error?.fields).toEqual([{ field: 'olderThanDays', problem: expect.stringMatching(/^Too small/) }]);
    expect(json.error?.message).toContain(`olderThanDays: ${json.error?.fields?.[0]?.problem}`);
    expect(flags.error?.message).toContain('--older-than-days: Too small');
    expect(flags.error).not.toHaveProperty('fields');
    expect(ran).toEqual([]);
  });

  it('masks a secure value in the fields a refusal of args names, their keys too, as in its message', async () => {
    // given / when: a secure value given as a key of args whose keys the task's schema leaves open
    const tally = defineTask({
      name: 'tally',
      description: 'Takes counts by any name',
      args: z.record(z.string(), z.number()),
      run: async () => {
        ran.push('tally');
      },
    });
    const handler = createAdminHandler({ tasks: { ...tasks, tally: async () => ({ default: tally }) }, ledger });
    const refused = await handler({ task: 'tally', args: { 'postgres://app:hunter22@db/app': 'many' } });

    // then
    expect(refused).toMatchObject({ exitCode: 64, error: { name: 'InvalidArgs' } });
    expect(refused.error?.message).not.toContain('hunter22');
    expect(refused.error?.fields).toHaveLength(1);
    expect(JSON.stringify(refused.error?.fields)).not.toContain('hunter22');
    expect(ran).toEqual([]);
  });

  it('refuses args nested too deep or too large before anything reads them (64), whatever their source', async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 5000; level += 1) deep = { a: deep };
    const tooDeep = await handlerWith()({ task: 'notes:purge', args: deep as Record<string, unknown> });
    expect(tooDeep).toMatchObject({ exitCode: 64, error: { name: 'InvalidEvent' } });
    expect(tooDeep.error?.message).toContain('nested more than 32 levels deep');
    const tooLarge = await handlerWith()({ task: 'notes:purge', args: { olderThanDays: 1, note: 'x'.repeat(300 * 1024) } });
    expect(tooLarge.error?.message).toContain('task args may take at most 256 KB');
    const deepJson = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const deepFlag = await handlerWith()({ task: 'query', argv: ['--filter', deepJson] });
    expect(deepFlag.error?.message).toBe('The task args: nested more than 32 levels deep; task args may nest at most 32 levels.');
    expect(deepFlag.exitCode).toBe(64);
    expect(ran).toEqual([]);
    expect(await ledger.list()).toEqual([]);
  });

  it('writes structured JSON log lines carrying run id, task and release, with secrets redacted', async () => {
    const result = await handlerWith()({ task: 'notes:purge', args: { olderThanDays: 3 }, runId: 'run-1', source: 'cli', caller: 'alice' });
    const lines = logLines
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatchObject({ runId: 'run-1', task: 'notes:purge', release: 'r-0123456789ab' });
    // the whole secure value is the secret: it never reaches the log
    expect(lines.map((line) => line.message)).toContain('purging with [redacted]');
    expect(logLines.join('')).not.toContain('hunter22');
    expect(result.exitCode).toBe(0);
  });

  it.each([
    [
      'an unknown task, listing the tasks',
      { task: 'nope' },
      'UnknownTask',
      'Unknown task "nope". Tasks in release r-0123456789ab: code, fail, locked, notes:purge, query, slow, stubborn.',
    ],
    [
      'args that fail the schema, naming the field',
      { task: 'notes:purge', args: { olderThanDays: 0 } },
      'InvalidArgs',
      'olderThanDays: Too small',
    ],
    ['an unknown arg', { task: 'notes:purge', args: { olderThanDays: 1, force: true } }, 'InvalidArgs', 'Unrecognized key: "force"'],
    [
      'a flag of the wrong type',
      { task: 'notes:purge', argv: ['--older-than-days', 'soon'] },
      'InvalidArgs',
      '--older-than-days takes an integer in decimal digits',
    ],
    ['an event without a task', { args: {} }, 'InvalidEvent', 'has no "task"'],
    ['a bad run id', { task: 'notes:purge', runId: '../../x' }, 'InvalidEvent', 'Invalid runId'],
    ['a bad source', { task: 'notes:purge', source: 'cron' }, 'InvalidEvent', 'Invalid source "cron"'],
  ])('refuses %s with exit 64 and runs nothing', async (_case, event, name, message) => {
    const result = await handlerWith()(event);
    expect(result.exitCode).toBe(64);
    expect(result.error?.name).toBe(name);
    expect(result.error?.message).toContain(message);
    expect(ran).toEqual([]);
    expect(await ledger.list()).toEqual([]);
  });

  it('turns a thrown error into exit 1 with its name and message, and its stack in the log', async () => {
    const result = await handlerWith()({ task: 'fail' });
    expect(result.exitCode).toBe(1);
    expect(result.error).toEqual({ name: 'InventoryError', message: '3 rows disagree' });
    const logged = logLines.join('');
    expect(logged).toContain('"stack":"InventoryError: 3 rows disagree');
    expect((await ledger.get(result.runId))?.error).toEqual({ name: 'InventoryError', message: '3 rows disagree' });
  });

  it.each([
    [7, 7, undefined],
    [0, 0, undefined],
    [63, 63, undefined],
    [64, 1, 'TaskExitCodeError'],
    [1.5, 1, 'TaskExitCodeError'],
  ])('passes a task exit code of %s through as %s', async (code, expected, errorName) => {
    const result = await handlerWith()({ task: 'code', args: { code } });
    expect(result.exitCode).toBe(expected);
    expect(result.error?.name).toBe(errorName);
  });

  it('loads a task module ahead of its run on preload, runs nothing, and leaves a failing load for the run to report', async () => {
    const loads: string[] = [];
    const handler = createAdminHandler({
      ledger,
      tasks: {
        ...tasks,
        counted: async () => {
          loads.push('counted');
          return tasks['notes:purge']();
        },
        broken: () => {
          loads.push('broken');
          throw new InventoryError('cannot load');
        },
      },
    });
    await handler.preload('counted');
    await handler.preload('broken');
    await handler.preload('no-such-task');
    await handler.preload('scripts/anything.ts');
    expect(loads).toEqual(['counted', 'broken']);
    expect(ran).toEqual([]);
    expect(await ledger.list({ limit: 10 })).toEqual([]);
    const result = await handler({ task: 'broken' });
    expect(result.exitCode).toBe(1);
    expect(result.error).toEqual({ name: 'InventoryError', message: 'cannot load' });
  });

  it('stops a task at its timeout with exit 124', async () => {
    const result = await handlerWith()({ task: 'slow' });
    expect(result.exitCode).toBe(124);
    expect(result.error?.name).toBe('TimeoutError');
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('stops a task on an interrupt with exit 130 when it ends through its signal, and records when', async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 50);
    const result = await handlerWith()({ task: 'slow' }, { interrupt: interrupt.signal });
    expect(result.exitCode).toBe(130);
    expect(result.error?.name).toBe('InterruptedError');
    expect(result.interruptedAt).toEqual(expect.any(String));
    expect((await ledger.get(result.runId))?.interruptedAt).toBe(result.interruptedAt);
  });

  it.each([
    ['returns', 'ignore', 5, undefined],
    ['throws an error of its own', 'own-error', 1, 'InventoryError'],
    ['throws its signal reason', 'throw-reason', 130, 'InterruptedError'],
  ])('records what a task did when interrupted: one that %s ends with exit %s', async (_case, mode, exitCode, errorName) => {
    const interrupt = new AbortController();
    const running = handlerWith()({ task: 'stubborn', args: { mode } }, { interrupt: interrupt.signal });
    // interrupted once the task runs: before, it would not run at all
    await until(() => ran.includes('stubborn'));
    interrupt.abort();
    const result = await running;
    expect(result.exitCode).toBe(exitCode);
    expect(result.error?.name).toBe(errorName);
    const record = await ledger.get(result.runId);
    expect(record).toMatchObject({ exitCode, interruptedAt: expect.any(String) });
    expect(Date.parse(record?.interruptedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(record?.startedAt ?? ''));
  });

  it('runs no task when the interrupt came before it started, and records that (130)', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const result = await handlerWith()({ task: 'stubborn', args: { mode: 'ignore' } }, { interrupt: interrupt.signal });
    expect(result).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' }, interruptedAt: expect.any(String) });
    expect(ran).toEqual([]);
    expect((await ledger.get(result.runId))?.exitCode).toBe(130);
  });

  it('answers cnf:describe with the catalog, args as JSON Schema', async () => {
    const result = await handlerWith()({ task: 'cnf:describe' });
    expect(result.exitCode).toBe(0);
    const catalog = result.output as {
      tasks: { name: string; args: { properties?: Record<string, unknown>; required?: string[] }; lock: boolean }[];
    };
    expect(catalog.tasks.map((task) => task.name)).toEqual(['code', 'fail', 'locked', 'notes:purge', 'query', 'slow', 'stubborn']);
    const purgeInfo = catalog.tasks.find((task) => task.name === 'notes:purge');
    expect(purgeInfo?.args.required).toEqual(['olderThanDays']);
    expect(purgeInfo?.args.properties?.olderThanDays).toMatchObject({ type: 'integer', minimum: 1 });
    expect(catalog.tasks.find((task) => task.name === 'locked')?.lock).toBe(true);
  });

  it('runs a run id once: a second delivery returns the first outcome and runs nothing', async () => {
    const handler = handlerWith();
    const first = await handler({ task: 'fail', runId: 'retry-me' });
    const second = await handler({ task: 'fail', runId: 'retry-me' });
    expect(ran).toEqual(['fail']);
    expect(second).toMatchObject({ runId: 'retry-me', exitCode: 1, error: { name: 'InventoryError' } });
    expect(first.exitCode).toBe(second.exitCode);
    expect(await ledger.list()).toHaveLength(1);
  });

  it('settles a duplicate delivery of a run that was lost: exit 70, recorded, nothing runs again', async () => {
    await ledger.claim({
      runId: 'lost-one',
      task: 'fail',
      args: {},
      release: 'r-0123456789ab',
      source: 'cli',
      caller: 'alice',
      startedAt: '2026-01-01T00:00:00.000Z',
      log: 'x',
      deadline: '2026-01-01T00:15:00.000Z',
    });
    const result = await handlerWith()({ task: 'fail', runId: 'lost-one' });
    expect(result).toMatchObject({ runId: 'lost-one', exitCode: 70, error: { name: 'RunLostError' } });
    expect(ran).toEqual([]);
    expect(await ledger.get('lost-one')).toMatchObject({ exitCode: 70, endedAt: '2026-01-01T00:15:00.000Z' });
  });

  it('records every run with the deadline by which its function surely ended', async () => {
    const before = Date.now();
    const result = await handlerWith()({ task: 'code', args: { code: 0 } }, { getRemainingTimeInMillis: () => 60_000 });
    const deadline = Date.parse((await ledger.get(result.runId))?.deadline ?? '');
    expect(deadline).toBeGreaterThanOrEqual(before + 60_000);
    expect(deadline).toBeLessThan(before + 62_000);
  });

  it('refuses a run id already used for another task (64)', async () => {
    const handler = handlerWith();
    await handler({ task: 'code', args: { code: 0 }, runId: 'shared-id' });
    const other = await handler({ task: 'fail', runId: 'shared-id' });
    expect(other.exitCode).toBe(64);
    expect(other.error).toEqual({
      name: 'RunIdConflict',
      message:
        "Run id shared-id already names a run of code, not fail; nothing ran. Use a new run id, or the same task and args to get that run's outcome.",
    });
    expect(ran).toEqual([]);
  });

  it('refuses a run id already used with other args (64), naming what differs, and runs nothing', async () => {
    const handler = handlerWith();
    await handler({ task: 'notes:purge', args: { olderThanDays: 3 }, runId: 'purge-once' });
    const other = await handler({ task: 'notes:purge', argv: ['--older-than-days', '4', '--dry-run'], runId: 'purge-once' });
    expect(other.exitCode).toBe(64);
    expect(other.error?.name).toBe('RunIdConflict');
    expect(other.error?.message).toContain(
      'Run id purge-once already names a run of notes:purge with other args (olderThanDays: 3 then, 4 now; dryRun: false then, true now); nothing ran.',
    );
    // the same args, however written, are the same run: its outcome, again
    const same = await handler({ task: 'notes:purge', argv: ['--older-than-days', '3', '--no-dry-run'], runId: 'purge-once' });
    expect(same).toMatchObject({ runId: 'purge-once', exitCode: 0 });
    expect(ran).toEqual(['notes:purge']);
  });

  it('says a duplicate delivery of a run in progress is in progress (exit 75)', async () => {
    const handler = handlerWith();
    const first = handler({ task: 'locked', runId: 'slow-one' });
    await until(() => ran.includes('locked'));
    const second = await handler({ task: 'locked', runId: 'slow-one' });
    expect(second.exitCode).toBe(75);
    expect(second.error?.name).toBe('RunInProgress');
    expect((await first).exitCode).toBe(0);
    expect(ran).toEqual(['locked']);
  });

  it('lets one run of a locked task at a time: the second gets 75 and who holds the lock', async () => {
    const handler = handlerWith();
    const first = handler({ task: 'locked', runId: 'holder', caller: 'alice' });
    await until(() => ran.includes('locked'));
    const second = await handler({ task: 'locked', runId: 'second', caller: 'bob' });
    expect(second.exitCode).toBe(75);
    expect(second.error?.name).toBe('LockHeld');
    expect(second.error?.message).toMatch(/locked by run holder \(caller alice\) since \d{4}-/);
    expect((await first).exitCode).toBe(0);
    expect(ran).toEqual(['locked']);
    expect((await ledger.get('second'))?.exitCode).toBe(75);
  });

  it('records the skip when a schedule finds its task locked', async () => {
    const handler = handlerWith();
    const first = handler({ task: 'locked', runId: 'holder' });
    await until(() => ran.includes('locked'));
    const skipped = await handler({ task: 'locked', runId: 'nightly-1', source: 'schedule', caller: 'notes-prod-nightly' });
    expect(skipped.exitCode).toBe(75);
    expect(await ledger.get('nightly-1')).toMatchObject({
      source: 'schedule',
      caller: 'notes-prod-nightly',
      exitCode: 75,
      endedAt: expect.any(String),
      error: { name: 'LockHeld' },
    });
    expect((await first).exitCode).toBe(0);
    expect(ran).toEqual(['locked']);
  });

  it('waits for a held lock when asked', async () => {
    const handler = handlerWith();
    const first = handler({ task: 'locked', runId: 'holder' });
    await until(() => ran.includes('locked'));
    const second = await handler({ task: 'locked', runId: 'waiter', waitLockSeconds: 5 });
    expect((await first).exitCode).toBe(0);
    expect(second.exitCode).toBe(0);
    expect(ran).toEqual(['locked', 'locked']);
  });

  it('refuses to run unguarded when the ledger is unavailable', async () => {
    const broken: RunLedger = {
      claim: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      finish: () => Promise.resolve(),
      acquireLock: () => Promise.reject(new Error('unreachable')),
      get: () => Promise.resolve(undefined),
      list: () => Promise.resolve([]),
    };
    const result = await handlerWith({ ledger: broken })({ task: 'fail' });
    expect(result.exitCode).toBe(69);
    expect(result.error?.name).toBe('LedgerUnavailable');
    expect(result.error?.message).toContain('refusing to run unguarded');
    expect(ran).toEqual([]);
  });

  it('refuses when no ledger is configured at all', async () => {
    const result = await createAdminHandler({ tasks })({ task: 'fail' });
    expect(result.exitCode).toBe(69);
    expect(ran).toEqual([]);
    expect(readdirSync(dir)).not.toContain('runs');
  });
});
