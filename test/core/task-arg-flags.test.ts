import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/core/errors.js';
import { flagOf, flagUsageOf, mergeArgs, parseArgFlags, UnknownArgError } from '../../lib/core/task-arg-flags.js';
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
    [['--older-than-days', 'soon'], '--older-than-days takes an integer in decimal digits, got: "soon"'],
    [['--older-than-days', '0x10'], '--older-than-days takes an integer in decimal digits, got: "0x10"'],
    [['--older-than-days', '1e3'], '--older-than-days takes an integer in decimal digits, got: "1e3"'],
    [['--older-than-days', ' 16'], '--older-than-days takes an integer in decimal digits, got: " 16"'],
    [['--older-than-days', '1.5'], '--older-than-days takes an integer in decimal digits, got: "1.5"'],
    [['--older-than-days='], '--older-than-days takes an integer in decimal digits, got: ""'],
    [['--older-than-days', '9007199254740993'], '--older-than-days takes an integer in decimal digits'],
    [['--limits', '0x10'], '--limits takes a decimal number, got: "0x10"'],
    [['--limits', 'Infinity'], '--limits takes a decimal number, got: "Infinity"'],
    [['--older-than-days', '1', '--older-than-days', '2'], '--older-than-days is given more than once; give it once.'],
    [['--older-than-days=1', '--older-than-days', '1'], '--older-than-days is given more than once; give it once.'],
    [['--dry-run', '--no-dry-run'], '--dry-run and --no-dry-run contradict each other; give one of them.'],
    [['--no-dry-run', '--dry-run=true'], '--no-dry-run and --dry-run contradict each other; give one of them.'],
    [['--constructor', '1'], 'Unknown arg --constructor for task notes:purge'],
    [['--dry-run=maybe'], '--dry-run is true or false, got: "maybe"'],
    [['--older-than-days'], '--older-than-days needs a value.'],
    [['30'], 'Task args are flags, got: "30".'],
    [['older-than-days=30'], 'Task args are flags, got: "older-than-days=30". Did you mean --older-than-days=30?'],
    [['-dry-run'], 'Task args are flags, got: "-dry-run". Did you mean --dry-run?'],
    [['--dry-run', 'true'], '--dry-run takes no value, got: "true" after it.'],
    [['--dry-run', '--older-than-days', '3', 'false'], 'Task args are flags, got: "false"'],
    [['--filter', '{x'], '--filter takes JSON (object)'],
    [
      ['--older-than-day', '3'],
      'Unknown arg --older-than-day for task notes:purge; its args: --older-than-days <integer>, --dry-run, --label <string>, --tags <string>...',
    ],
  ])('refuses %j with a message naming the flag', (tokens, message) => {
    expect(() => parseArgFlags(tokens, purge)).toThrow(UsageError);
    expect(() => parseArgFlags(tokens, purge)).toThrow(message);
  });

  it("ends the unknown-arg sentence at a list arg's dots, with no fourth", () => {
    const tagged: TaskInfo = {
      ...purge,
      name: 'tag',
      args: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
    };
    expect(() => parseArgFlags(['--tagz', 'a'], tagged)).toThrow(
      /^Unknown arg --tagz for task tag; its args: --tags <string>\.\.\. Did you mean --tags\?$/,
    );
  });

  it('refuses a flag the task does not take with an UnknownArgError that names the flag, as given', () => {
    // given / when
    const unknown = thrown(() => parseArgFlags(['--older-than-days', '3', '--json'], purge));
    const badValue = thrown(() => parseArgFlags(['--older-than-days', 'x'], purge));

    // then
    expect(unknown).toBeInstanceOf(UnknownArgError);
    expect(unknown).toMatchObject({
      flag: '--json',
      exitCode: 64,
      message: expect.stringMatching(/^Unknown arg --json for task notes:purge; /),
    });
    // a flag the task takes, with a bad value, is another refusal
    expect(badValue).toBeInstanceOf(UsageError);
    expect(badValue).not.toBeInstanceOf(UnknownArgError);
  });

  it('names the arg a misspelt flag is closest to, and none when no arg is close', () => {
    expect(() => parseArgFlags(['--older-than-day', '3'], purge)).toThrow(/\. Did you mean --older-than-days\?$/);
    expect(() => parseArgFlags(['--verbose'], purge)).toThrow(/--maybe <number>\.$/);
  });

  it('reads decimal numbers, with a sign, a fraction or an exponent, where the schema says number', () => {
    expect(parseArgFlags(['--limits', '-2', '--limits', '.5', '--limits', '1e3', '--older-than-days', '+7'], purge)).toEqual({
      limits: [-2, 0.5, 1000],
      olderThanDays: 7,
    });
  });

  it('keeps values as text when there is no schema to read them with', () => {
    expect(parseArgFlags(['--anything', '12'], undefined)).toEqual({ anything: '12' });
  });
});

describe('mergeArgs', () => {
  it('lays flags over JSON args', () => {
    expect(mergeArgs({ label: 'a' }, { olderThanDays: 3 })).toEqual({ label: 'a', olderThanDays: 3 });
  });

  it('refuses a key given both as JSON and as a flag, naming the flag', () => {
    expect(() => mergeArgs({ olderThanDays: 1 }, { olderThanDays: 2 })).toThrow(
      '--older-than-days is given twice: in the JSON args (olderThanDays: 1) and as a flag; give it once.',
    );
  });
});

describe('flag names', () => {
  it('writes an args key as its flag, with the type of its value where the schema says', () => {
    expect(flagOf('olderThanDays')).toBe('--older-than-days');
    expect(flagUsageOf(purge, 'olderThanDays')).toBe('--older-than-days <integer>');
    expect(flagUsageOf(purge, 'dryRun')).toBe('--dry-run');
    expect(flagUsageOf(purge, 'tags')).toBe('--tags <string>...');
    expect(flagUsageOf(purge, 'toString')).toBe('--to-string');
  });
});

describe('a sensitive arg given a value that does not fit', () => {
  const login: TaskInfo = {
    name: 'login',
    description: 'Signs in',
    lock: false,
    sensitiveArgs: ['pin'],
    args: {
      type: 'object',
      properties: { pin: { type: 'integer' }, apiKey: { type: 'object' }, count: { type: 'integer' } },
      additionalProperties: false,
    },
  };
  const messageOf = (run: () => unknown): string => {
    try {
      run();
    } catch (caught) {
      return `${(caught as Error).message} ${String((caught as Error).cause ?? '')}`;
    }
    return '';
  };

  it('is refused without quoting it: a declared one, one under a secret-looking name, and one given twice', () => {
    expect(messageOf(() => parseArgFlags(['--pin', 'Pin-Typed-9z'], login))).toBe(
      '--pin takes an integer in decimal digits, got: (not shown: a sensitive arg) ',
    );
    expect(messageOf(() => parseArgFlags(['--api-key=Key-Typed-8y'], login))).toBe(
      '--api-key takes JSON (object), got: (not shown: a sensitive arg) ',
    );
    expect(messageOf(() => mergeArgs({ pin: 'Pin-Json-7x' }, { pin: 1 }, login))).toBe(
      '--pin is given twice: in the JSON args (pin: (not shown: a sensitive arg)) and as a flag; give it once. ',
    );
    // Any other arg's value is quoted, as before.
    expect(messageOf(() => parseArgFlags(['--count', 'ten'], login))).toBe('--count takes an integer in decimal digits, got: "ten" ');
  });
});

/** What `run` throws (it must throw). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
