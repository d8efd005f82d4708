import { describe, expect, it } from 'vitest';
import { catalogTask, taskPageOf } from '../../../lib/cli/ui/task-page.js';
import type { TaskCatalog, TaskInfo } from '../../../lib/core/task-catalog.js';

const info = (name: string): TaskInfo => ({ name, description: name, args: {}, lock: false });
const live = {
  release: 'r-bbbbbbbbbbbb',
  catalog: { tasks: [info('echo')], scripts: [info('scripts/fix.ts')] } satisfies TaskCatalog,
};

describe('catalogTask', () => {
  it('finds a task or a script of the catalog by its name, and nothing else', () => {
    expect(catalogTask(live.catalog, 'echo')?.name).toBe('echo');
    expect(catalogTask(live.catalog, 'scripts/fix.ts')?.name).toBe('scripts/fix.ts');
    expect(catalogTask(live.catalog, 'purge')).toBeUndefined();
  });
});

describe('taskPageOf', () => {
  it('links a run to its task where the live release has it, a script too', () => {
    expect(taskPageOf({ task: 'echo', release: 'r-aaaaaaaaaaaa' }, live)).toEqual({ can: true });
    expect(taskPageOf({ task: 'scripts/fix.ts', release: 'r-aaaaaaaaaaaa' }, live)).toEqual({ can: true });
  });

  it('says why there is no page where the live release lacks the task: removed since, or only in a release not live', () => {
    expect(taskPageOf({ task: 'purge', release: 'r-aaaaaaaaaaaa' }, live)).toEqual({
      can: false,
      why: "The live release r-bbbbbbbbbbbb has no task purge, and a task's page shows the live release's task: this run ran it on r-aaaaaaaaaaaa.",
    });
  });

  it("has no page for cnf-admin's own tasks, nor where the live release's tasks could not be read", () => {
    expect(taskPageOf({ task: 'cnf:console', release: 'r-aaaaaaaaaaaa' }, live)).toEqual({
      can: false,
      why: "cnf:console is cnf-admin's own task, not one of a release.",
    });
    expect(taskPageOf({ task: 'echo', release: 'r-aaaaaaaaaaaa' }, undefined)).toEqual({
      can: false,
      why: "The live release's tasks could not be read, and a task's page shows the live release's task.",
    });
  });
});
