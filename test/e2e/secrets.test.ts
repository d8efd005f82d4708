/**
 * A secure parameter through the real binary on the local stage: whatever
 * a run prints, returns or throws, the value never shows on the terminal,
 * in `--json`, in `runs show`, in the run's log file or in the ledger.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

const SECRET = 'tok-5ecr3t-a1b2c3d4';
let project: TestProject;

function expectNoSecret(result: CliResult): void {
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
}

/** Every file under .cnf/ but the parameter set itself, which is where the secret lives. */
function stateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'releases' ? [] : stateFiles(path);
    return name === 'parameters.json' ? [] : [path];
  });
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
  expect((await project.cli(['config', 'set', 'API_TOKEN', '-', '--secure'], { input: `${SECRET}\n` })).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('a secure value on the local stage', () => {
  it('console -e that throws it: the error, plain console.log and process.stdout.write show [redacted]', async () => {
    const code = `console.log("plain " + config.API_TOKEN); process.stdout.write("raw " + config.API_TOKEN + "\\n"); throw new Error("bad token " + config.API_TOKEN)`;
    const result = await project.cli(['console', '-e', code]);
    expect(result.code).toBe(1);
    expectNoSecret(result);
    const all = result.stdout + result.stderr;
    expect(all).toContain('plain [redacted]');
    expect(all).toContain('raw [redacted]');
    expect(all).toContain('bad token [redacted]');
  });

  it('with --json, the result document is redacted too', async () => {
    const result = await project.cli(['console', '-e', '({ token: config.API_TOKEN })', '--json']);
    expectNoSecret(result);
    expect(result.code).toBe(0);
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain('[redacted]');
  });

  it('runs show, logs and the state on disk never hold it', async () => {
    const invoked = await project.cli(['invoke', 'show-config', '--json']);
    expectNoSecret(invoked);
    const runs = JSON.parse((await project.cli(['runs', '--all', '--json'])).stdout) as { runId: string; error?: { message: string } }[];
    expect(runs.some((run) => run.error?.message === 'bad token [redacted]')).toBe(true);
    for (const run of runs) {
      expectNoSecret(await project.cli(['runs', 'show', run.runId]));
      expectNoSecret(await project.cli(['logs', run.runId]));
    }
    for (const file of stateFiles(join(project.dir, '.cnf'))) expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET);
  });
});
