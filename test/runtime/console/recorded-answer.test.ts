import { describe, expect, it } from 'vitest';
import { recordedConsoleValue } from '../../../lib/runtime/console/recorded-answer.js';

describe("what the ledger keeps of a console evaluation's answer", () => {
  it("keeps the value as the console showed it, without a terminal's colours or the session's fields", () => {
    const answer = { result: "\u001b[32m'on'\u001b[39m", names: ['_', 'config', 'log', 'signal'], declared: [], state: 'x' };
    expect(recordedConsoleValue(answer)).toBe("'on'");
    expect(recordedConsoleValue({ result: '{ a: 1 }', value: { a: 1 }, names: [], declared: [] })).toBe('{ a: 1 }');
  });

  it('keeps anything else as it is', () => {
    expect(recordedConsoleValue(undefined)).toBeUndefined();
    expect(recordedConsoleValue({ migrated: 3 })).toEqual({ migrated: 3 });
  });
});
