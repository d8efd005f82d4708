import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogTime, formatMoment, localizedMoments } from '../../lib/core/format-moment.js';

/* Node reads TZ again whenever it is assigned: these tests run in New York, five hours behind UTC in November. */
let zone: string | undefined;
beforeEach(() => {
  zone = process.env.TZ;
  process.env.TZ = 'America/New_York';
});
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('formatMoment and formatLogTime', () => {
  it("show a moment in this machine's zone, to the second and to the millisecond", () => {
    expect(formatMoment('2026-11-24T14:39:27.123Z')).toBe('2026-11-24 09:39:27');
    expect(formatLogTime('2026-11-24T14:39:27.123Z')).toBe('09:39:27.123');
  });

  it('leave a text that is no date as it is', () => {
    expect(formatMoment('soon')).toBe('soon');
    expect(formatLogTime('soon')).toBe('soon');
  });
});

describe('localizedMoments', () => {
  it('shows each UTC moment the admin function wrote into a message as formatMoment does, and nothing else', () => {
    expect(
      localizedMoments(
        'Task slow is locked by run tz1 (caller a@b) since 2026-12-04T21:51:56.827Z; it ended 2026-12-04T21:41:13Z, in run 20261204-215156-abcdef.',
      ),
    ).toBe(
      'Task slow is locked by run tz1 (caller a@b) since 2026-12-04 16:51:56; it ended 2026-12-04 16:41:13, in run 20261204-215156-abcdef.',
    );
  });

  it('leaves a message with no moment, or a moment with an offset other than Z, as it is', () => {
    expect(localizedMoments('exit 1 at 2026-12-04')).toBe('exit 1 at 2026-12-04');
    expect(localizedMoments('at 2026-12-04T21:51:56+01:00')).toBe('at 2026-12-04T21:51:56+01:00');
  });
});
