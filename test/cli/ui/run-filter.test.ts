import { describe, expect, it } from 'vitest';
import { parseRunFilter } from '../../../lib/cli/ui/run-filter.js';

describe('the runs filter', () => {
  it('reads what the address says, and leaves out what it does not', () => {
    const filter = parseRunFilter(new URLSearchParams('status=failed&task=migrate&caller=&from=2026-11-24T00:00:00Z&all=1'));
    expect(filter).toEqual({ status: 'failed', task: 'migrate', from: '2026-11-24T00:00:00.000Z', all: true });
  });

  it('names a status, source or time it does not know', () => {
    expect(() => parseRunFilter(new URLSearchParams('status=broken'))).toThrow(
      'status takes one of running, succeeded, failed, refused, interrupted, lost, got: "broken"',
    );
    expect(() => parseRunFilter(new URLSearchParams('source=cron'))).toThrow('source takes one of');
    expect(() => parseRunFilter(new URLSearchParams('to=yesterday'))).toThrow('to takes a date and time, got: "yesterday"');
  });
});
