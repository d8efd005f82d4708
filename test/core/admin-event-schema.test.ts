import { describe, expect, it } from 'vitest';
import { parseAdminEvent } from '../../lib/core/admin-event-schema.js';

describe('the admin event schema', () => {
  it('takes a console test event as short as {"task": ...}, and keeps fields it does not know', () => {
    expect(parseAdminEvent({ task: 'migrate' })).toEqual({ ok: true, event: { task: 'migrate' } });
    expect(parseAdminEvent({ task: 'migrate', future: 1 })).toMatchObject({ ok: true, event: { future: 1 } });
  });

  it.each([
    [{ args: {} }, 'task', 'has no "task"'],
    [{ task: 'migrate', runId: '../../x' }, 'runId', 'Invalid runId "../../x"'],
    [{ task: 'migrate', source: 'cron' }, 'source', 'Invalid source "cron": use one of cli, schedule, console, release-phase, ui.'],
    [{ task: 'migrate', args: [1] }, 'args', '"args" must be an object, got: [1]'],
    [{ task: 'migrate', argv: [1] }, 'argv', '"argv" must be an array of strings, got: [1]'],
    [{ task: 'migrate', waitLockSeconds: -1 }, 'waitLockSeconds', '"waitLockSeconds" must be a number of seconds >= 0, got: -1'],
    [{ task: 'migrate', configVersion: 1.5 }, 'configVersion', '"configVersion" must be a config version number (7 for v7), got: 1.5'],
    [{ task: 'migrate', caller: 7 }, 'caller', '"caller" is invalid'],
    [{ task: 'migrate', stream: 'yes' }, 'stream', '"stream" is invalid'],
  ])('refuses %j naming the field', (event, field, message) => {
    const read = parseAdminEvent(event);
    expect(read.ok).toBe(false);
    expect(read).toMatchObject({ field });
    expect(read.ok ? '' : read.message).toContain(message);
  });

  it('says an event that is no object is none', () => {
    expect(parseAdminEvent([1])).toMatchObject({ ok: false, message: 'The admin event must be a JSON object, got: [1]' });
  });
});
