import { describe, expect, it } from 'vitest';
import { resolveTask } from '../../lib/runtime/resolve-task.js';
import { defineTask } from '../../lib/runtime/define-task.js';
import { hasTask, loadTask } from '../../lib/runtime/task-registry.js';

const migrate = defineTask({ name: 'migrate', description: 'Migrates', run: async () => undefined });
const sources = { tasks: { migrate: async () => ({ default: migrate }), seed: async () => ({ default: migrate }) } };

describe('resolveTask', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'refuses %s as an unknown task (64), listing the tasks, instead of crashing',
    async (name) => {
      const resolution = await resolveTask(name, sources, 'r-0123456789ab', 'prod');
      expect(resolution).toEqual({
        ok: false,
        exitCode: 64,
        error: { name: 'UnknownTask', message: `Unknown task ${JSON.stringify(name)}. Tasks in release r-0123456789ab: migrate, seed.` },
      });
    },
  );

  it('suggests the task one typo away', async () => {
    const resolution = await resolveTask('migrte', sources, 'r-0123456789ab', 'prod');
    expect(resolution).toMatchObject({ ok: false, exitCode: 64, error: { message: expect.stringContaining('Did you mean "migrate"?') } });
  });

  it('finds a registered task', async () => {
    expect(await resolveTask('migrate', sources, 'r-0123456789ab', 'prod')).toEqual({ ok: true, task: migrate });
  });
});

describe('the task registry', () => {
  it('knows only its own entries', async () => {
    expect(hasTask(sources.tasks, 'migrate')).toBe(true);
    expect(hasTask(sources.tasks, 'constructor')).toBe(false);
    await expect(loadTask(sources.tasks, 'toString')).rejects.toThrow('No task is registered as "toString"');
  });

  it.each([
    [{ name: 'seed' }, 'its default export has no run function (made without defineTask?)'],
    [migrate, 'its default export is named "migrate"'],
    [undefined, 'its default export is undefined'],
    [null, 'its default export is null'],
  ])('says what is wrong with a module whose default export is not the task it is registered as: %o', async (exported, why) => {
    const loaders = { seed: async () => ({ default: exported as never }) };
    await expect(loadTask(loaders, 'seed')).rejects.toThrow(
      `The module registered as task "seed" must default-export defineTask({ name: "seed", run, ... }); ${why}`,
    );
  });
});
