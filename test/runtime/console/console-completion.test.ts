import { describe, expect, it } from 'vitest';
import { completeLine, memberNames, type CompletionSource } from '../../../lib/runtime/console/console-completion.js';

const notes = { listNotes: () => [], addNote: () => undefined };
const values: Record<string, unknown> = { notes, config: { DATABASE_URL: 'x' }, console, title: 'hi' };

const source: CompletionSource = {
  names: () => Object.keys(values),
  members: (path) => {
    let value: unknown = values[path[0] as string];
    for (const name of path.slice(1)) value = (value as Record<string, unknown> | undefined)?.[name];
    return value === undefined ? undefined : memberNames(value);
  },
};

describe('completeLine', () => {
  it("completes a word to every matching name and keyword, as Node's REPL does", () => {
    expect(completeLine('con', source)).toEqual([['config', 'console', 'const', 'continue'], 'con']);
    expect(completeLine('if (no', source)).toEqual([['notes'], 'no']);
  });

  it('completes the members of a value after a dot, own members first', () => {
    const [members, completeOn] = completeLine('notes.', source);
    expect(completeOn).toBe('notes.');
    expect(members.slice(0, 2)).toEqual(['notes.listNotes', 'notes.addNote']);
    expect(members).toContain('notes.hasOwnProperty');
    expect(completeLine('x = notes.li', source)).toEqual([['notes.listNotes'], 'notes.li']);
    expect(completeLine('config.DATA', source)).toEqual([['config.DATABASE_URL'], 'config.DATA']);
    expect(completeLine('title.toUpp', source)).toEqual([['title.toUpperCase'], 'title.toUpp']);
  });

  it('offers nothing where the value is not known without running code, or is missing', () => {
    expect(completeLine('notes.listNotes().', source)).toEqual([[], '']);
    expect(completeLine('nothing.', source)).toEqual([[], 'nothing.']);
    expect(completeLine('"text".', source)).toEqual([[], '']);
  });
});
