import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAdminHandler } from '../../lib/runtime/admin-handler.js';
import type { ConsoleAnswer } from '../../lib/core/console-protocol.js';
import { FileLedger } from '../../lib/runtime/ledger/file-ledger.js';
import { tempDir } from '../support/temp-dir.js';

let dir: string;
let ledger: FileLedger;
let written: string[];

beforeEach(() => {
  dir = tempDir('cnf-console');
  ledger = new FileLedger(dir);
  writeFileSync(join(dir, 'parameters.json'), JSON.stringify({ parameters: { GREETING: { value: 'hello', secure: false } } }));
  vi.stubEnv('CNF_PARAMETER_FILE', join(dir, 'parameters.json'));
  vi.stubEnv('CNF_RELEASE', 'r-0123456789ab');
  vi.stubEnv('CNF_STAGE', 'prod');
  vi.stubEnv('LAMBDA_TASK_ROOT', dir);
  written = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const handler = () =>
  createAdminHandler({
    tasks: {},
    ledger,
    console: async () => ({ default: async ({ config }) => ({ greet: (name: string) => `${config.GREETING}, ${name}` }) }),
  });

describe('cnf:console', () => {
  it('is refused with 77 where the stage keeps the console off, and runs nothing', async () => {
    const result = await handler()({ task: 'cnf:console', args: { code: 'process.exit(1)', session: 's1' } });
    expect(result.exitCode).toBe(77);
    expect(result.error).toMatchObject({
      name: 'ConsoleDisabled',
      message: expect.stringContaining('The console is off on stage prod'),
    });
    expect(await ledger.list()).toEqual([]);
  });

  it("evaluates in the app's scope, records each evaluation as a run, and keeps the session", async () => {
    vi.stubEnv('CNF_CONSOLE_ENABLED', 'true');
    const first = await handler()({
      task: 'cnf:console',
      args: { code: 'const who = "ops"', session: 's1' },
      source: 'cli',
      caller: 'alice',
    });
    const second = await handler()({ task: 'cnf:console', args: { code: 'greet(who)', session: 's1' }, source: 'cli', caller: 'alice' });
    expect(first.exitCode).toBe(0);
    expect((second.output as ConsoleAnswer).result).toBe("'hello, ops'");
    expect((second.output as ConsoleAnswer).names).toEqual(expect.arrayContaining(['config', 'greet', 'log', 'who']));
    const runs = await ledger.list();
    expect(runs.map((run) => [run.task, run.caller, run.args.code])).toEqual([
      ['cnf:console', 'alice', 'greet(who)'],
      ['cnf:console', 'alice', 'const who = "ops"'],
    ]);
  });

  it('carries variables over in state where no process outlives an evaluation', async () => {
    vi.stubEnv('CNF_CONSOLE_ENABLED', 'true');
    const first = await handler()({ task: 'cnf:console', args: { code: 'const total = 40', session: 'aws-1', state: '' } });
    const state = (first.output as ConsoleAnswer).state;
    expect(state).toEqual(expect.any(String));
    const second = await handler()({ task: 'cnf:console', args: { code: 'total + 2', session: 'aws-1', state } });
    expect((second.output as ConsoleAnswer).result).toBe('42');
    // the saved variables may hold anything a session read: never in the ledger, nor in the log
    const recorded = (await ledger.get(second.runId))?.args;
    expect(recorded).toEqual({ code: 'total + 2', session: 'aws-1', state: `[redacted: ${(state as string).length} characters]` });
    expect(written.join('')).not.toContain(state as string);
  });

  it('reports what the input threw as exit 1', async () => {
    vi.stubEnv('CNF_CONSOLE_ENABLED', 'true');
    const result = await handler()({ task: 'cnf:console', args: { code: 'null.x', session: 's2' } });
    expect(result.exitCode).toBe(1);
    expect(result.error?.name).toBe('TypeError');
  });
});

describe('scripts', () => {
  it('runs a script of the bundle by its path, with args from flags', async () => {
    mkdirSync(join(dir, 'scripts', 'once'), { recursive: true });
    writeFileSync(
      join(dir, 'scripts', 'once', 'fix.mjs'),
      "export default { kind: 'cnf-script', description: 'Fix', run: async ({ args }) => ({ got: args }) };\n",
    );
    const result = await handler()({ task: 'scripts/once/fix.ts' });
    expect(result).toMatchObject({ task: 'scripts/once/fix.ts', exitCode: 0, output: { got: {} } });
    expect((await handler().describe()).scripts.map((script) => script.name)).toEqual(['scripts/once/fix.ts']);
  });

  it('refuses a script the release does not carry (64), saying it must ship with a release', async () => {
    const result = await handler()({ task: 'scripts/missing.ts' });
    expect(result.exitCode).toBe(64);
    expect(result.error?.message).toContain('scripts/missing.ts is not in release r-0123456789ab: a script must ship with a release');
  });
});
