/**
 * A container task on the local stage: it runs as any other task, as a
 * local process, without Lambda's 15-minute cap; `tasks` shows its runtime.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/core/run.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(async () => {
  project = createTestProject('tasks');
  writeFileSync(
    join(project.dir, 'lambda', 'tasks', 'long.ts'),
    `import { defineTask } from 'cnf-admin/runtime';

export default defineTask({
  name: 'long',
  description: 'Reports how long it may run',
  options: { runtime: 'container', timeoutSeconds: 7200 },
  run: async ({ remainingTimeMs }) => ({ remainingMs: remainingTimeMs() }),
});
`,
  );
  const admin = join(project.dir, 'lambda', 'admin.ts');
  writeFileSync(admin, readFileSync(admin, 'utf8').replace('tasks: {', "tasks: {\n    long: () => import('./tasks/long.js'),"));
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('a container task on the local stage', () => {
  it('runs past Lambda’s 15 minutes: its deadline is its own two hours', async () => {
    const result = await project.cli(['invoke', 'long', '--json']);
    expect(result.code).toBe(0);
    const { output } = JSON.parse(result.stdout) as RunResult & { output: { remainingMs: number } };
    expect(output.remainingMs).toBeGreaterThan(7000 * 1000);
    expect(output.remainingMs).toBeLessThanOrEqual(7200 * 1000);
  });

  it('shows in tasks with its runtime, beside the Lambda tasks', async () => {
    // Wide enough for every column: at 80 the RUNTIME column gives way first.
    const result = await project.cli(['tasks'], { env: { COLUMNS: '300' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/RUNTIME/);
    expect(result.stdout).toMatch(/^long\b.*timeout 2h.*container\s*$/m);
    expect(result.stdout).toMatch(/^noop\b.*lambda\s*$/m);
  });

  it('keeps the RUNTIME column at 80 columns, where a task runs in a container', async () => {
    const result = await project.cli(['tasks'], { env: { COLUMNS: '80' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/RUNTIME/);
    expect(result.stdout).toMatch(/\bcontainer\s*$/m);
    expect(Math.max(...result.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
  });
});
