import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors.js';
import { parseArgFlags } from '../../lib/core/task-arg-flags.js';
import type { TaskInfo } from '../../lib/core/task-catalog.js';

const purge: TaskInfo = {
  name: 'notes:purge',
  description: 'Delete old notes',
  lock: false,
  args: {
    type: 'object',
    properties: {
      olderThanDays: { type: 'integer' },
      dryRun: { type: 'boolean', default: false },
      label: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
      limits: { type: 'array', items: { type: 'number' } },
      filter: { type: 'object' },
      maybe: { anyOf: [{ type: 'number' }, { type: 'null' }] },
    },
    additionalProperties: false,
  },
};

describe('parseArgFlags', () => {
  it("shows the task's own flags in the hint for a token that is no flag, and a generic one for an unknown task", () => {
    const error = (() => {
      try {
        parseArgFlags(['30'], { ...purge, args: { type: 'object', properties: { days: { type: 'integer' } } } });
      } catch (caught) {
        return caught as UsageError;
      }
      return undefined;
    })();
    expect(error?.hint).toBe('Write them after --, e.g. cnf-admin invoke notes:purge -- --days <integer>');
    expect(() => parseArgFlags(['30'], undefined)).toThrow(UsageError);
    try {
      parseArgFlags(['30'], undefined);
    } catch (caught) {
      expect((caught as UsageError).hint).toBe('Write them after --, e.g. cnf-admin invoke <task> -- --<arg> <value>');
    }
  });

  it('reads kebab-case flags into camelCase args, typed by the schema', () => {
    expect(parseArgFlags(['--older-than-days', '30', '--dry-run', '--label', '007'], purge)).toEqual({
      olderThanDays: 30,
      dryRun: true,
      label: '007',
    });
  });

  it('reads --flag=value, --no-flag, repeated flags and JSON objects', () => {
    expect(
      parseArgFlags(
        ['--older-than-days=7', '--no-dry-run', '--tags', 'a', '--tags=b', '--limits', '1.5', '--filter', '{"x":1}', '--maybe', '2'],
        purge,
      ),
    ).toEqual({ olderThanDays: 7, dryRun: false, tags: ['a', 'b'], limits: [1.5], filter: { x: 1 }, maybe: 2 });
  });

  it('reads nothing from no flags', () => {
    expect(parseArgFlags([], purge)).toEqual({});
  });

  it.each([
    [['--older-than-days', 'soon'], '--older-than-days takes a number, got: "soon"'],
    [['--dry-run=maybe'], '--dry-run is true or false, got: "maybe"'],
    [['--older-than-days'], '--older-than-days needs a value.'],
    [['30'], 'Task args are flags, got: "30"'],
    [['--filter', '{x'], '--filter takes JSON (object)'],
    [
      ['--older-than-day', '3'],
      'Unknown arg --older-than-day for task notes:purge; its args: --older-than-days <integer>, --dry-run, --label <string>, --tags <string>...',
    ],
  ])('refuses %j with a message naming the flag', (tokens, message) => {
    expect(() => parseArgFlags(tokens, purge)).toThrow(UsageError);
    expect(() => parseArgFlags(tokens, purge)).toThrow(message);
  });

  it('keeps values as text when there is no schema to read them with', () => {
    expect(parseArgFlags(['--anything', '12'], undefined)).toEqual({ anything: '12' });
  });
});
