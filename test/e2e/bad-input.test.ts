/**
 * Bad input through the real binary: each gets a clear message and the exit
 * code the design gives, runs nothing, and shows no stack trace.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { tempDir } from '../support/temp-dir.js';

let project: TestProject;

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

async function runCount(): Promise<number> {
  return (JSON.parse((await project.cli(['runs', '--json'])).stdout) as unknown[]).length;
}

function expectUserError(result: CliResult, code: number, message: string | RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('bad input', () => {
  it('an unknown task: 64, listing the tasks, nothing ran', async () => {
    const before = await runCount();
    const result = await project.cli(['invoke', 'migrat']);
    expectUserError(
      result,
      64,
      /Unknown task "migrat"\. Tasks in release r-[0-9a-f]{12}: chatty, deep-log, echo, exit-code, explode, fail, hang, ignore-stop, leak, leave-behind, locked, noop, odd-result, odd-throw, open-line, process-exit, show-config, sleep, spin, stuck, wait-for-stop\./,
    );
    expect(result.stderr).not.toContain('▶');
    expect(await runCount()).toBe(before);
  });

  it('an unknown task after an edit: 64, the tree built and kept, the live pair not moved to it, nothing ran', async () => {
    const edited = createTestProject('tasks');
    try {
      const live = (JSON.parse((await edited.cli(['status', '--json'])).stdout) as { aliases: { web: { release: string } }[] }).aliases[0]
        ?.web.release;
      const noop = join(edited.dir, 'lambda', 'tasks', 'noop.ts');
      writeFileSync(noop, readFileSync(noop, 'utf8').replace("'Does nothing'", "'Does nothing, edited'"));
      const result = await edited.cli(['invoke', 'nooop']);
      expectUserError(result, 64, /Unknown task "nooop"\. Did you mean "noop"\?/);
      const built = /The working tree was built as (r-[0-9a-f]{12}), which is kept; web:live and admin:live did not move to it\./.exec(
        result.stderr,
      )?.[1];
      expect(built).toMatch(/^r-/);
      expect(built).not.toBe(live);
      const after = JSON.parse((await edited.cli(['status', '--json'])).stdout) as { aliases: { web: { release: string } }[] };
      expect(after.aliases[0]?.web.release).toBe(live);
      expect(JSON.parse((await edited.cli(['runs', '--json'])).stdout)).toEqual([]);
      // The right name then makes the kept release live and runs on it.
      const fixed = await edited.cli(['invoke', 'noop']);
      expect(fixed.code).toBe(0);
      expect(fixed.stderr).toContain(`▶ noop · stage local · release ${built} `);
    } finally {
      await edited.cleanup();
    }
  });

  it("one of invoke's own flags after --: 64, saying it goes before --, run or dry run, nothing ran", async () => {
    const before = await runCount();
    for (const [flags, usage] of [
      [['--json'], '--json'],
      [['--dry-run'], '--dry-run'],
      [['--stage=local'], '--stage <name>'],
    ] as const) {
      for (const own of [[], ['--detach']]) {
        const result = await project.cli(['invoke', 'echo', ...own, '--', '--count', '1', ...flags]);
        expectUserError(result, 64, `Unknown arg ${usage.split(' ')[0]} for task echo`);
        expect(result.stderr).toContain(
          `${usage.split(' ')[0]} is a flag of invoke itself, and what follows -- goes to the task: give it before --, e.g. cnf-admin invoke echo ${usage} -- …\n`,
        );
      }
    }
    // A task arg that is no flag of invoke's gets no such word.
    expect((await project.cli(['invoke', 'echo', '--', '--count', '1', '--nope'])).stderr).not.toContain('flag of invoke itself');
    // With --json the refusal is the error document every command prints: name and message, as a dry run's.
    for (const own of [[], ['--dry-run']]) {
      const refused = await project.cli(['invoke', 'echo', '--json', ...own, '--', '--count', '1', '--nope']);
      expect(JSON.parse(refused.stdout)).toEqual({
        error: { name: expect.any(String), message: expect.stringMatching(/^Unknown arg --nope for task echo; /) },
        exitCode: 64,
      });
    }
    expect(await runCount()).toBe(before);
  });

  it('a task the code defines but lambda/admin.ts does not list: 64, naming the module and the line to add, run, dry run or built tree', async () => {
    const module = join(project.dir, 'lambda', 'tasks', 'orders-report.ts');
    const admin = join(project.dir, 'lambda', 'admin.ts');
    const kept = readFileSync(admin, 'utf8');
    writeFileSync(
      module,
      "import { defineTask } from 'cnf-admin/runtime';\nexport default defineTask({ name: 'orders:report', description: 'x', run: async () => 0 });\n",
    );
    const hint =
      "lambda/tasks/orders-report.ts defines task orders:report, which lambda/admin.ts does not list: add 'orders:report': () => import('./tasks/orders-report.js') to its tasks.";
    try {
      const before = await runCount();
      for (const flags of [[], ['--dry-run'], ['--detach']]) {
        const result = await project.cli(['invoke', 'orders:report', ...flags]);
        expectUserError(result, 64, 'Unknown task "orders:report".');
        expect(result.stderr).toContain(`${hint}\n`);
      }
      // A tree that differs is built first; the release it built lacks the task all the same.
      writeFileSync(admin, `${kept}export const edited = 1;\n`);
      const built = await project.cli(['invoke', 'orders:report']);
      expectUserError(built, 64, 'The working tree was built as');
      expect(built.stderr).toContain(`${hint}\n`);
      expect(await runCount()).toBe(before);
    } finally {
      rmSync(module);
      writeFileSync(admin, kept);
    }
  });

  it('a task lambda/admin.ts lists, refused by a release built without it: 64, saying what runs it', async () => {
    const own = createTestProject('tasks');
    try {
      const older = (JSON.parse((await own.cli(['deploy', '--json'])).stdout) as { release: string }).release;
      const admin = join(own.dir, 'lambda', 'admin.ts');
      writeFileSync(
        join(own.dir, 'lambda', 'tasks', 'orders-total.ts'),
        "import { defineTask } from 'cnf-admin/runtime';\nexport default defineTask({ name: 'orders-total', description: 'x', run: async () => 0 });\n",
      );
      writeFileSync(
        admin,
        readFileSync(admin, 'utf8').replace('tasks: {', "tasks: {\n    'orders-total': () => import('./tasks/orders-total.js'),"),
      );
      expect((await own.cli(['deploy'])).code).toBe(0);
      const lists = `lambda/admin.ts lists task orders-total, but release ${older} was built without it`;
      // an older release named by id: another release runs it
      for (const flags of [[], ['--dry-run'], ['--detach']]) {
        const named = await own.cli(['invoke', 'orders-total', '--release', older, ...flags]);
        expectUserError(named, 64, `Unknown task "orders-total". Tasks in release ${older}:`);
        expect(named.stderr).toContain(`${lists}: run a release that has it (without --release, the one web:live serves).\n`);
      }
      // the live pair rolled back to it, and held there: a deploy of the tree runs it
      expect((await own.cli(['rollback', '--yes'])).code).toBe(0);
      for (const flags of [[], ['--dry-run'], ['--detach']]) {
        const held = await own.cli(['invoke', 'orders-total', ...flags]);
        expectUserError(held, 64, `Unknown task "orders-total". Tasks in release ${older}:`);
        expect(held.stderr).toContain(`${lists}: deploy the working tree to the pair, cnf-admin deploy --stage local, and run it again.\n`);
      }
      expect(JSON.parse((await own.cli(['runs', '--json'])).stdout) as { task: string }[]).not.toContainEqual(
        expect.objectContaining({ task: 'orders-total' }),
      );
    } finally {
      await own.cleanup();
    }
  });

  it('a migrate task that init wrote but lambda/admin.ts does not list: named with the line to add, as any task', async () => {
    const module = join(project.dir, 'lambda', 'tasks', 'migrate.ts');
    const admin = join(project.dir, 'lambda', 'admin.ts');
    const kept = readFileSync(admin, 'utf8');
    writeFileSync(module, "import { defineMigrateTask } from 'cnf-admin/migrations';\nexport default defineMigrateTask();\n");
    try {
      const check = (result: CliResult): void => {
        expectUserError(result, 64, 'Unknown task "migrate".');
        expect(result.stderr).toContain(
          "lambda/tasks/migrate.ts defines task migrate, which lambda/admin.ts does not list: add migrate: () => import('./tasks/migrate.js') to its tasks.\n",
        );
        // The module is there: the refusal does not also say to write it, or to run init for it.
        expect(result.stderr).not.toContain('To apply SQL migrations');
      };
      for (const flags of [[], ['--dry-run'], ['--detach']]) check(await project.cli(['invoke', 'migrate', ...flags]));
      // A tree that differs is built first; the release it built lacks the task all the same.
      writeFileSync(admin, `${kept}export const edited = 2;\n`);
      check(await project.cli(['invoke', 'migrate']));
    } finally {
      rmSync(module);
      writeFileSync(admin, kept);
    }
  });

  it('args that fail the schema: 64, naming the field, nothing ran', async () => {
    const before = await runCount();
    expectUserError(await project.cli(['invoke', 'echo', '--', '--count', '0']), 64, 'Invalid args for echo: --count: Too small');
    expectUserError(await project.cli(['invoke', 'echo']), 64, 'Invalid args for echo: missing --count <integer>');
    // Names left empty: said in the CLI's words, not the admin event's.
    expectUserError(await project.cli(['invoke', '']), 64, "invoke takes a task's name, got nothing.");
    // A cnf: name the admin function does not answer is an unknown task for a dry run too, not a plan.
    for (const reserved of ['cnf:whatever', 'cnf:rollback'])
      expectUserError(await project.cli(['invoke', reserved, '--dry-run']), 64, `Unknown task "${reserved}".`);
    expectUserError(await project.cli(['runs', '--task', '']), 64, "--task takes a task's name, got nothing.");
    expectUserError(await project.cli(['runs', '--limit', '99999999999999999999']), 64, '--limit takes a whole number of at least 1');
    expectUserError(
      await project.cli(['invoke', 'echo', '--', '--count', 'two']),
      64,
      '--count takes an integer in decimal digits, got: "two"',
    );
    expectUserError(
      await project.cli(['invoke', 'echo', '--', '--cuont', '2']),
      64,
      'Unknown arg --cuont for task echo; its args: --count <integer>',
    );
    expect(await runCount()).toBe(before);
  });

  it("console -e with no code: 64 in the CLI's words, and --json names no run the ledger lacks", async () => {
    expectUserError(await project.cli(['console', '-e', '']), 64, /^cnf-admin: --eval takes the code to evaluate, got nothing\.\n/);
    const json = await project.cli(['console', '-e', ' ', '--json']);
    expect(json.code).toBe(64);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { name: 'UsageError', message: '--eval takes the code to evaluate, got nothing.' },
      exitCode: 64,
    });
  });

  it('malformed --args JSON: 64, saying how to quote it', async () => {
    const result = await project.cli(['invoke', 'echo', '--args', '{count: 2}']);
    expectUserError(result, 64, '--args is not valid JSON');
    expect(result.stderr).toContain(`--args '{"days": 30}'`);
  });

  it('invoke cnf:console: 64 pointing to cnf-admin console (the console is on locally), not 77 saying it is off; nothing ran', async () => {
    const before = await runCount();
    const result = await project.cli(['invoke', 'cnf:console']);
    expectUserError(result, 64, "cnf:console is the console's own task, which invoke cannot run");
    expect(result.stderr).toContain('Open the console with: cnf-admin console --stage local');
    expect(result.stderr).not.toContain('is off');
    expect(await runCount()).toBe(before);
  });

  it('an unknown stage: 64, listing the stages', async () => {
    expectUserError(
      await project.cli(['invoke', 'noop', '--stage', 'staging']),
      64,
      'Unknown stage "staging". This project\'s stages: local, prod.',
    );
  });

  it('an unknown flag: 64, and for invoke where task args go', async () => {
    const result = await project.cli(['invoke', 'echo', '--count', '2']);
    expectUserError(result, 64, "unknown option '--count'");
    expect(result.stderr).toContain('Task args go after --, e.g. cnf-admin invoke echo -- --<arg> <value>');
    expectUserError(await project.cli(['status', '--verbose']), 64, "unknown option '--verbose'");
    expectUserError(await project.cli(['invok', 'noop']), 64, "unknown command 'invok'");
    const help = await project.cli(['help', 'invok']);
    expect(help.code).toBe(64);
    expect(help.stderr).toMatch(/^cnf-admin: unknown command 'invok'; the commands are below\.\nUsage: cnf-admin/);
  });

  it('running outside a project: 64, saying what a project is', async () => {
    const outside = tempDir('cnf-outside');
    const result = await runCli(['invoke', 'migrate'], { cwd: outside });
    expectUserError(result, 64, `No cdk.json found in ${outside} or any directory above it.`);
    expect(result.stderr).toContain('context.cnf.app');
    expect(result.stderr).toContain('To make this directory one: cnf-admin init');
    // a CDK project without cnf-admin's settings: init adds them
    writeFileSync(join(outside, 'cdk.json'), '{"app": "npx ts-node bin/app.ts"}');
    const unset = await runCli(['invoke', 'migrate'], { cwd: outside });
    expectUserError(unset, 64, `${join(outside, 'cdk.json')} has no context.cnf settings.`);
    expect(unset.stderr).toContain('or have cnf-admin init add it (it keeps the rest of cdk.json): cnf-admin init');
  });

  it('corrupted .cnf state: a clear error naming the file (69), not a crash', async () => {
    const broken = createTestProject('tasks');
    try {
      expect((await broken.cli(['deploy'])).code).toBe(0);
      writeFileSync(join(broken.dir, '.cnf', 'local', 'aliases.json'), '{"live": {"web": 42}}');
      const result = await broken.cli(['invoke', 'noop']);
      expectUserError(
        result,
        69,
        `The local stage's state is corrupted: ${join(broken.dir, '.cnf', 'local', 'aliases.json')}: live.web: Invalid input: expected string`,
      );
      const aliases = join(broken.dir, '.cnf', 'local', 'aliases.json');
      expect(result.stderr).toContain(`move just that file aside (mv ${aliases} ${aliases}.damaged)`);
      expect(result.stderr).not.toContain('delete .cnf');
      writeFileSync(aliases, '{"live": ');
      const unparsable = await broken.cli(['status']);
      expectUserError(unparsable, 69, /aliases\.json: not valid JSON \([^\n]*\)\n/);

      // Moved aside as the hint says: status names what is left (releases, no live pair) and what a run does, without contradiction.
      renameSync(aliases, `${aliases}.damaged`);
      const aside = await broken.cli(['status']);
      expect(aside.code).toBe(0);
      expect(aside.stdout).toContain('  no alias pairs\n');
      expect(aside.stdout.replace(/\s+/g, ' ')).toContain(
        'No live pair: web:live and admin:live point at no release, so runs of the live release exit 69 until a deploy makes the pair again (cnf-admin deploy --stage local). The stage keeps 1 release(s).',
      );
      expect(aside.stdout).not.toContain('Nothing deployed yet');
      expect((await broken.cli(['invoke', 'noop'])).code).toBe(69);

      // A release record damaged, and moved aside as the hint says: the next deploy stores the release again whole.
      const deployed = JSON.parse((await broken.cli(['deploy', '--json'])).stdout) as { release: string };
      const record = join(broken.dir, '.cnf', 'local', 'releases', deployed.release, 'release.json');
      writeFileSync(record, '');
      const damaged = await broken.cli(['status']);
      expectUserError(damaged, 69, `The local stage's state is corrupted: ${record}`);
      expect(damaged.stderr).toContain(`mv ${record} ${record}.damaged`);
      renameSync(record, `${record}.damaged`);
      const again = await broken.cli(['deploy']);
      expect(again.code).toBe(0);
      expect((await broken.cli(['invoke', 'noop'])).code).toBe(0);
    } finally {
      await broken.cleanup();
    }
  });

  it('a bad run id or release id: 64; a release or alias the stage lacks: 69', async () => {
    expectUserError(
      await project.cli(['invoke', 'noop', '--run-id', '../x']),
      64,
      "--run-id must be 1-128 letters, digits, '.', '_' or '-'",
    );
    expectUserError(
      await project.cli(['invoke', 'noop', '--release', 'latest']),
      64,
      '--release takes a release id (r- and 12 hex digits), got: "latest"',
    );
    const badId = await project.cli(['tasks', '--release', 'r-5dc']);
    expectUserError(badId, 64, '--release takes a release id (r- and 12 hex digits), got: "r-5dc"');
    expect(badId.stderr).toContain('\nList the releases with: cnf-admin releases\n');
    const noRelease = await project.cli(['invoke', 'noop', '--release', 'r-000000000000']);
    expectUserError(noRelease, 69, 'The local stage has no release "r-000000000000"');
    expect(noRelease.stderr).toContain('Name one the stage keeps (cnf-admin releases --stage local lists them)');
    const noPair = await project.cli(['invoke', 'noop', '--alias', 'canary']);
    expectUserError(noPair, 69, 'The local stage has no alias pair "canary" (alias pairs: live).');
    expect(noPair.stderr).toContain('Deploy the working tree to it: cnf-admin deploy --stage local --alias canary');
  });

  it('a run id that is no run id: 64, and no file outside the ledger is read', async () => {
    const shown = await project.cli(['runs', 'show', '../parameters', '--json']);
    expectUserError(shown, 64, 'Not a run id: "../parameters"');
    expect(shown.stdout).not.toContain('"parameters"');
    expectUserError(await project.cli(['logs', '../database/server']), 64, 'Not a run id: "../database/server"');
  });

  it('a corrupted ledger record: a clear error naming the file (69), not a crash', async () => {
    const broken = createTestProject('tasks');
    try {
      expect((await broken.cli(['invoke', 'noop', '--run-id', 'will-break'])).code).toBe(0);
      const file = join(broken.dir, '.cnf', 'local', 'runs', 'will-break.json');
      writeFileSync(file, '{"runId": "will-');
      expectUserError(await broken.cli(['runs']), 69, `The run ledger's record ${file} is corrupted`);
    } finally {
      await broken.cleanup();
    }
  });

  it('writes the error as the JSON document with --json', async () => {
    const result = await project.cli(['invoke', 'noop', '--stage', 'nope', '--json']);
    expect(result.code).toBe(64);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { name: 'UsageError', message: expect.stringContaining('Unknown stage "nope"') },
      exitCode: 64,
    });
  });
});
