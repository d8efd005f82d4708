/**
 * The smaller things of the first hour, through the real binary: `tasks`
 * lists the scripts `run` takes, hints are written the way the user runs
 * cnf-admin (npx), and a typo in `config unset` or `runs --task` gets a
 * did-you-mean.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(async () => {
  project = createTestProject('tasks');
  mkdirSync(join(project.dir, 'scripts'));
  writeFileSync(
    join(project.dir, 'scripts', 'backfill-once.ts'),
    [
      "import * as z from 'zod';",
      "import { defineScript } from 'cnf-admin/runtime';",
      'export default defineScript({',
      "  description: 'Backfill once',",
      '  args: z.strictObject({ dryRun: z.boolean().default(false) }),',
      '  async run() {},',
      '});',
      '',
    ].join('\n'),
  );
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('tasks', () => {
  it('lists the scripts of the release, which run takes', async () => {
    const result = await project.cli(['tasks'], { env: { COLUMNS: '120' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SCRIPT \(cnf-admin run\)\s+DESCRIPTION\s+ARGS$/m);
    expect(result.stdout).toMatch(/^scripts\/backfill-once\.ts\s+Backfill once\s+\[--dry-run\]$/m);
    const json = JSON.parse((await project.cli(['tasks', '--json'])).stdout) as { scripts: { name: string }[] };
    expect(json.scripts.map((script) => script.name)).toEqual(['scripts/backfill-once.ts']);
  });
});

describe('hints', () => {
  it('say npx cnf-admin where npm started cnf-admin, and cnf-admin where it did not', async () => {
    const viaNpx = await project.cli(['invoke', 'ecoh'], { env: { npm_command: 'exec' } });
    expect(viaNpx.code).toBe(64);
    expect(viaNpx.stderr).toContain('See the tasks and their args with: npx cnf-admin tasks --stage local');
    const direct = await project.cli(['invoke', 'ecoh'], { env: { npm_command: undefined, npm_lifecycle_event: undefined } });
    expect(direct.stderr).toContain('See the tasks and their args with: cnf-admin tasks --stage local');
  });
});

describe('suggested commands', () => {
  const npx = { env: { npm_command: 'exec' } };

  it('are written npx cnf-admin in notices and in what --detach prints, where npm started cnf-admin', async () => {
    // A run that lasts until it is stopped (sleep's own timeout, 1 s, could end it first on a busy machine),
    // with an id of its own each time: a retry of this test starts another.
    const runId = `hint-${Date.now()}`;
    const started = await project.cli(['invoke', 'wait-for-stop', '--detach', '--run-id', runId], npx);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain(`Follow it with:\n  npx cnf-admin logs ${runId} --stage local --follow\n`);
    // A platform's notice: the run is still going.
    const logs = await project.cli(['logs', runId], npx);
    expect(logs.stderr).toContain(`Follow it with: npx cnf-admin logs ${runId} --stage local --follow`);
    const direct = await project.cli(['logs', runId], { env: { npm_command: undefined, npm_lifecycle_event: undefined } });
    expect(direct.stderr).toContain(`Follow it with: cnf-admin logs ${runId} --stage local --follow`);
    expect(direct.stderr).not.toContain('npx');
    expect((await project.cli(['stop', runId])).code).toBe(0);
  });

  it('are written npx cnf-admin in help, whose lines still fit the terminal', async () => {
    const viaNpx = await project.cli(['rollback', '--help'], { env: { ...npx.env, COLUMNS: '80' } });
    expect(viaNpx.stdout).toMatch(/^Usage: npx cnf-admin rollback /m);
    expect(viaNpx.stdout).toContain('  $ npx cnf-admin rollback --dry-run\n');
    expect(Math.max(...viaNpx.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    const direct = await project.cli(['rollback', '--help'], { env: { npm_command: undefined, npm_lifecycle_event: undefined } });
    expect(direct.stdout).toContain('  $ cnf-admin rollback --dry-run\n');
    expect(direct.stdout).not.toContain('npx');
    // The help a group of commands shows without one of them, and a bare cnf-admin, too.
    const group = await project.cli(['config'], npx);
    expect(`${group.stdout}${group.stderr}`).toContain('  $ npx cnf-admin config list\n');
    const bare = await project.cli([], npx);
    expect(`${bare.stdout}${bare.stderr}`).toMatch(/^Usage: npx cnf-admin \[options\] \[command\]$/m);
  });

  it("are written npx cnf-admin in status's notes and in what config prints too", async () => {
    const fresh = createTestProject('tasks', { deployed: false });
    try {
      const status = await fresh.cli(['status'], npx);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('Nothing deployed yet: npx cnf-admin deploy --stage local');
      const config = await fresh.cli(['config', 'list'], npx);
      expect(config.stderr).toContain('Set one with: npx cnf-admin config set KEY VALUE --stage local');
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('what others typed', () => {
  it('runs, runs show and config list write out the control characters of args and values: the terminal acts on none of them', async () => {
    const escape = '\u001b]0;owned\u0007\u001b[2J';
    expect((await project.cli(['invoke', 'echo', '--', '--count', '1', '--label', escape])).code).toBe(0);
    expect((await project.cli(['config', 'set', 'BANNER', `hi${escape}`])).code).toBe(0);
    for (const args of [
      ['runs', '--task', 'echo'],
      ['runs', 'show', ((await project.cli(['runs', '--task', 'echo', '--json'])).stdout.match(/"runId":\s*"([^"]+)"/) ?? [])[1] ?? ''],
      ['config', 'list'],
    ]) {
      const shown = await project.cli(args, { env: { COLUMNS: '240' } });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout, args.join(' ')).not.toContain('\u001b');
      expect(shown.stdout, args.join(' ')).toContain('\\u001b');
    }
  });
});

describe('did-you-mean', () => {
  it('config unset of a key the stage lacks names the close one', async () => {
    expect((await project.cli(['config', 'set', 'LOG_LEVEL', 'debug'])).code).toBe(0);
    const result = await project.cli(['config', 'unset', 'LOG_LEVLE']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Stage local had no parameter LOG_LEVLE; nothing changed. Did you mean "LOG_LEVEL"?');
  });

  it('config unset of a key a stage without config versions lacks makes no version either', async () => {
    const fresh = createTestProject('tasks', { deployed: false });
    try {
      const unset = await fresh.cli(['config', 'unset', 'NOPE']);
      expect(unset.code, unset.stderr).toBe(0);
      expect(unset.stderr).toContain('Stage local had no parameter NOPE; nothing changed.');
      const history = await fresh.cli(['config', 'history', '--json']);
      expect(history.code, history.stderr).toBe(0);
      expect(JSON.parse(history.stdout)).toMatchObject({ versions: [] });
    } finally {
      await fresh.cleanup();
    }
  });

  it('config history of a version, where a key goes, says what to type instead', async () => {
    expect((await project.cli(['config', 'set', 'HISTORY_PROBE', 'one'])).code).toBe(0);
    const result = await project.cli(['config', 'history', 'v3']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('No config version of stage local holds v3.');
    expect(result.stderr).not.toContain('Did you mean');
    expect(result.stderr).toContain(
      'config history takes a KEY, not a version. What v3 changed: cnf-admin config diff v2 v3 --stage local',
    );
  });

  it('runs --task of a task without runs names the close one', async () => {
    expect((await project.cli(['invoke', 'noop'])).code).toBe(0);
    const result = await project.cli(['runs', '--task', 'nop']);
    expect(result.stderr).toContain('No runs on stage local for task nop yet. Did you mean "noop"?');
  });
});
