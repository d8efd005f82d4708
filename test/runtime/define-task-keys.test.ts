import { describe, expect, it } from 'vitest';
import { defineTask, type TaskDefinition } from '../../lib/runtime/define-task.js';

/*
 * A key a task definition does not take is refused where the task is
 * defined (its module's load, a 65 naming it): an option given at the top,
 * such as `sensitiveArgs`, would be ignored without a word, and the arg it
 * names would show in the ledger.
 */
describe('defineTask and the keys of a definition', () => {
  it('refuses an option given at the top, naming where it goes', () => {
    const definition = { name: 'pay', description: 'Pays', sensitiveArgs: ['pin'], run: async () => undefined };
    expect(() => defineTask(definition as TaskDefinition<never>)).toThrow(
      'Task pay: unknown key "sensitiveArgs"; sensitiveArgs is an option: give it under options, e.g. options: { sensitiveArgs: ... }.',
    );
  });

  it('refuses any other key, naming those a definition takes', () => {
    const definition = { name: 'pay', description: 'Pays', handler: async () => undefined, run: async () => undefined };
    expect(() => defineTask(definition as TaskDefinition<never>)).toThrow(
      'Task pay: unknown key "handler"; a definition takes name, description, args, run, options.',
    );
  });

  it('takes the option under options', () => {
    const task = defineTask({ name: 'pay', description: 'Pays', options: { sensitiveArgs: ['pin'] }, run: async () => undefined });
    expect(task.options.sensitiveArgs).toEqual(['pin']);
  });
});
