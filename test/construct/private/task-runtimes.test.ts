import { afterAll, describe, expect, it } from 'vitest';
import type { TaskCatalog } from '../../../lib/core/task-catalog.js';
import { ConstructValidationError } from '../../../lib/construct/errors.js';
import { assertTaskRuntimes } from '../../../lib/construct/private/task-runtimes.js';
import { containerTasksOf } from '../../../lib/core/task-runtime.js';
import { adminAppStack, newStack, notesBundle, removeOutdirs } from '../support/admin-app-stack.js';

afterAll(removeOutdirs);

const task = (name: string, extra: object) => ({ name, description: name, args: {}, lock: false, ...extra });

describe('task runtimes at synth', () => {
  it('refuses a Lambda task whose timeoutSeconds exceeds 900, naming the task and the option', () => {
    const catalog: TaskCatalog = { tasks: [task('reindex', { timeoutSeconds: 3600 })], scripts: [] };
    expect(() => assertTaskRuntimes(newStack('Stack'), catalog, 'r-0123456789ab')).toThrow(ConstructValidationError);
    expect(() => assertTaskRuntimes(newStack('Stack'), catalog, 'r-0123456789ab')).toThrow(
      "Task reindex of release r-0123456789ab sets options.timeoutSeconds to 3600, more than Lambda's 900",
    );
  });

  it('takes a Lambda task of exactly 900 seconds, and a container task of hours', () => {
    const catalog: TaskCatalog = {
      tasks: [task('edge', { timeoutSeconds: 900 }), task('backfill', { timeoutSeconds: 14_400, runtime: 'container' })],
      scripts: [],
    };
    expect(() => assertTaskRuntimes(newStack('Stack'), catalog, 'r-0123456789ab')).not.toThrow();
    expect(containerTasksOf(catalog).map((info) => info.name)).toEqual(['backfill']);
  });

  it('stops the AdminApp at synth, before anything is built', async () => {
    const bundle = await notesBundle();
    const tasks = bundle.catalog.tasks.map((info) =>
      info.name === 'notes:backfill' ? { ...info, runtime: undefined, timeoutSeconds: 14_400 } : info,
    );
    await expect(adminAppStack({ bundle: { ...bundle, catalog: { ...bundle.catalog, tasks } } })).rejects.toThrow(
      'Task notes:backfill of release',
    );
  });

  it("finds the example app's batched backfill as its container task", async () => {
    const bundle = await notesBundle();
    expect(containerTasksOf(bundle.catalog)).toEqual([
      expect.objectContaining({ name: 'notes:backfill', runtime: 'container', timeoutSeconds: 14_400, lock: true }),
    ]);
  });

  it('counts a script that declares the container runtime as a container task, named by its path', () => {
    const catalog: TaskCatalog = {
      tasks: [task('backfill', { runtime: 'container' })],
      scripts: [task('scripts/fix.ts', {}), task('scripts/long-fix.ts', { timeoutSeconds: 7200, runtime: 'container' })],
    };
    expect(() => assertTaskRuntimes(newStack('Stack'), catalog, 'r-0123456789ab')).not.toThrow();
    expect(containerTasksOf(catalog).map((info) => info.name)).toEqual(['backfill', 'scripts/long-fix.ts']);
  });
});
