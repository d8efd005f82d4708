/**
 * Names a user types (tasks, scripts, stages, config keys, aliases) through
 * the real binary: a name that happens to be a property of every JavaScript
 * object is just an unknown name, and a near miss gets "Did you mean".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
/* The release's tasks, sorted, whatever else the fixture gains. */
const TASK_LIST = /Tasks in release r-[0-9a-f]{12}: chatty, (?:[a-z-]+, )*echo, (?:[a-z-]+, )*noop, (?:[a-z-]+, )*wait-for-stop\./;

function expectUserError(result: CliResult, code: number, message: string): void {
  expect(result.code).toBe(code);
  expect(result.stderr).toContain(message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

async function runCount(): Promise<number> {
  return (JSON.parse((await project.cli(['runs', '--json'])).stdout) as unknown[]).length;
}

beforeAll(async () => {
  project = createTestProject('tasks');
  // a one-time script of this copy's own, for the "Did you mean" of scripts
  mkdirSync(join(project.dir, 'scripts'), { recursive: true });
  writeFileSync(
    join(project.dir, 'scripts', 'fix-bad-records.ts'),
    "import { defineScript } from 'cnf-admin/runtime';\nexport default defineScript({ description: 'Fixes', run: async () => ({ fixed: 0 }) });\n",
  );
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('names that are properties of every object', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'invoke %s: 64, unknown task, listing the tasks, nothing ran',
    async (name) => {
      const before = await runCount();
      const result = await project.cli(['invoke', name]);
      expectUserError(result, 64, `Unknown task ${JSON.stringify(name)}.`);
      expect(result.stderr).toMatch(TASK_LIST);
      expect(result.stderr).not.toContain('TypeError');
      expect(await runCount()).toBe(before);
    },
  );

  it('config get and unset of toString: no such parameter, never "Removed toString"', async () => {
    const unset = await project.cli(['config', 'unset', 'toString']);
    expect(unset.code).toBe(0);
    expect(unset.stderr).toContain('Stage local had no parameter toString; nothing changed.');
    expect(unset.stderr).not.toContain('Removed');
    expect(JSON.parse((await project.cli(['config', 'unset', 'constructor', '--json'])).stdout)).toMatchObject({ removed: false });
    expectUserError(await project.cli(['config', 'get', 'toString']), 64, 'Stage local has no parameter toString.');
  });

  it('a parameter named like an object property is stored and read like any other', async () => {
    expect((await project.cli(['config', 'set', 'constructor', 'built'])).code).toBe(0);
    expect((await project.cli(['config', 'get', 'constructor'])).stdout.trim()).toBe('built');
    expect((await project.cli(['config', 'unset', 'constructor'])).stderr).toMatch(
      /^Removed constructor from stage local: config v\d+ is live now/m,
    );
  });

  it('--alias toString: no such alias pair (69), never release "undefined"; --alias __proto__ is no alias name (64)', async () => {
    const result = await project.cli(['invoke', 'noop', '--alias', 'toString']);
    expectUserError(result, 69, 'The local stage has no alias pair "toString" (alias pairs: live).');
    expect(result.stderr).not.toContain('undefined');
    expect(result.stderr).toContain('Deploy the working tree to it: cnf-admin deploy --stage local --alias toString');
    for (const args of [
      ['invoke', 'noop', '--alias', '__proto__'],
      ['deploy', '--alias', '__proto__'],
      ['serve', '--alias', 'bad name'],
      ['console', '--alias', '', '-e', '1'],
    ]) {
      const refused = await project.cli(args);
      expectUserError(refused, 64, "--alias takes an alias name, 1-128 letters, digits, '_' or '-', starting with a letter, got:");
      expect(refused.stderr).not.toContain('Building');
    }
  });

  it("task args --constructor or --to-string: 64, unknown arg, listing the task's args", async () => {
    for (const flag of ['--constructor', '--to-string', '--has-own-property']) {
      expectUserError(
        await project.cli(['invoke', 'echo', '--', '--count', '1', flag, 'x']),
        64,
        `Unknown arg ${flag} for task echo; its args: --count <integer>`,
      );
    }
  });

  it('task args with a key named __proto__, at any depth: 64 naming where, and nothing runs', async () => {
    for (const args of ['{"__proto__":{"count":2}}', '{"count":1,"tags":[{"__proto__":"x"}]}']) {
      const result = await project.cli(['invoke', 'echo', '--args', args]);
      expectUserError(result, 64, 'holds a key named "__proto__", which JavaScript reads as the object\'s prototype, not as an arg');
    }
  });

  it('--stage toString or constructor: 64, unknown stage', async () => {
    for (const stage of ['toString', 'constructor']) {
      expectUserError(await project.cli(['runs', '--stage', stage]), 64, `Unknown stage ${JSON.stringify(stage)}.`);
    }
  });
});

describe('Did you mean', () => {
  it('a task one typo away from a real one', async () => {
    const result = await project.cli(['invoke', 'echi']);
    expectUserError(result, 64, `Unknown task "echi". Did you mean "echo"? Tasks in release`);
    const swapped = await project.cli(['invoke', 'nopo']);
    expectUserError(swapped, 64, 'Did you mean "noop"?');
  });

  it('no suggestion for a name that is nothing like a task', async () => {
    const result = await project.cli(['invoke', 'xylophone']);
    expectUserError(result, 64, 'Unknown task "xylophone".');
    expect(result.stderr).not.toContain('Did you mean');
  });

  it('a config key one typo away from a parameter', async () => {
    expect((await project.cli(['config', 'set', 'DATABASE_URL', 'postgres://localhost/x'])).code).toBe(0);
    expectUserError(
      await project.cli(['config', 'get', 'DATABSE_URL']),
      64,
      'Stage local has no parameter DATABSE_URL. Did you mean "DATABASE_URL"?',
    );
  });

  it('a stage in the wrong case', async () => {
    expectUserError(await project.cli(['invoke', 'noop', '--stage', 'Prod']), 64, 'Unknown stage "Prod". Did you mean "prod"?');
  });

  it('a script one typo away from one on disk', async () => {
    const result = await project.cli(['run', 'scripts/fix-bad-record.ts']);
    expectUserError(result, 64, 'No such script: scripts/fix-bad-record.ts.');
    expect(result.stderr).toContain('Did you mean "scripts/fix-bad-records.ts"?');
  });
});

describe('cnf-admin --help', () => {
  it('lists every exit code the CLI ends with, 65 and 70 included', async () => {
    const result = await project.cli(['--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.replace(/\s+/g, ' ');
    for (const code of ['0..63', '64 usage', '65 ', '69 ', '70 ', '75 ', '77 ', '78 ', '124 ', '130 ']) expect(help).toContain(code);
  });
});
