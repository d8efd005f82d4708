import { describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../../lib/core/task-catalog.js';
import { testEventSchema, testEventSchemaName } from '../../../lib/construct/private/test-event-schema.js';

function task(name: string, args: Record<string, unknown> = { type: 'object', properties: {}, additionalProperties: false }): TaskInfo {
  return { name, description: `${name} task`, args, lock: false };
}

function examplesOf(tasks: TaskInfo[]) {
  return (testEventSchema(tasks) as { components: { examples: Record<string, { value: unknown }> } }).components.examples;
}

describe('testEventSchema', () => {
  it('names the schema as the Lambda console does: _<function-name>-schema', () => {
    expect(testEventSchemaName('notes-prod-admin')).toBe('_notes-prod-admin-schema');
  });

  it('is an OpenAPI 3 document with one example per task, the admin event as its value', () => {
    const schema = testEventSchema([task('migrate')]);
    expect(schema).toMatchObject({ openapi: '3.0.0', info: { title: 'Event' }, paths: {} });
    expect(examplesOf([task('migrate')])).toEqual({ migrate: { value: { task: 'migrate' } } });
  });

  it('fills in args with their defaults, and required args only where the schema gives an example', () => {
    const args = {
      type: 'object',
      properties: {
        olderThanDays: { type: 'integer', minimum: 1 },
        batch: { type: 'integer', examples: [500] },
        dryRun: { type: 'boolean', default: false },
        note: { type: 'string' },
      },
      required: ['olderThanDays', 'batch'],
    };
    // olderThanDays has neither default nor example: a click in the console must not purge with a made-up value.
    expect(examplesOf([task('notes:purge', args)])['notes-purge']).toEqual({
      value: { task: 'notes:purge', args: { batch: 500, dryRun: false } },
    });
  });

  it('turns task names into console event names: no ":", at most 25 characters, unique', () => {
    const names = Object.keys(examplesOf([task('notes:purge'), task('notes-purge'), task('reports:monthly:regenerate-all-invoices')]));
    expect(names).toEqual(['notes-purge', 'notes-purge-2', 'reports-monthly-regenerat']);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9._-]{1,25}$/);
  });
});
