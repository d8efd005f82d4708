import { describe, expect, it } from 'vitest';
import {
  changedKeys,
  configVersionHash,
  diffParameters,
  formatConfigDiff,
  livePairLabel,
  parseConfigVersion,
} from '../../lib/core/config-version.js';
import { UsageError } from '../../lib/core/errors.js';
import { planRollback, type LivePairHistoryEntry } from '../../lib/core/rollback.js';

describe('config versions', () => {
  it('hash the selectors: same parameter versions, same hash; another version of one key, another hash', () => {
    const a = configVersionHash({ A: { version: 1, secure: false }, B: { version: 3, secure: true } });
    expect(a).toMatch(/^cv-[0-9a-f]{12}$/);
    expect(configVersionHash({ B: { version: 3, secure: true }, A: { version: 1, secure: false } })).toBe(a);
    expect(configVersionHash({ A: { version: 2, secure: false }, B: { version: 3, secure: true } })).not.toBe(a);
  });

  it('name the keys whose selector changed', () => {
    expect(
      changedKeys(
        { A: { version: 1, secure: false }, B: { version: 1, secure: false } },
        { A: { version: 2, secure: false }, C: { version: 1, secure: false } },
      ),
    ).toEqual(['A', 'B', 'C']);
  });

  it('read v7 and 7, and refuse anything else with a usage error naming it', () => {
    expect(parseConfigVersion('v7')).toBe(7);
    expect(parseConfigVersion('12')).toBe(12);
    expect(parseConfigVersion('v05')).toBe(5);
    expect(parseConfigVersion('V3')).toBe(3);
    expect(() => parseConfigVersion('v0')).toThrow(UsageError);
    expect(() => parseConfigVersion('latest')).toThrow('Expected a config version such as v7, got: "latest"');
  });

  it('label a live pair as code and config', () => {
    expect(livePairLabel('r-6765a295784c', 7)).toBe('r-6765a295784c · config v7');
    expect(livePairLabel('r-6765a295784c', undefined)).toBe('r-6765a295784c');
  });

  it('diff per key: plain values shown, a secure one only changed or unchanged', () => {
    const diff = diffParameters(
      [
        { key: 'A', value: '1', secure: false },
        { key: 'S', value: 'old-secret', secure: true },
        { key: 'T', value: 'same-secret', secure: true },
        { key: 'GONE', value: 'x', secure: false },
      ],
      [
        { key: 'A', value: '2', secure: false },
        { key: 'S', value: 'new-secret', secure: true },
        { key: 'T', value: 'same-secret', secure: true },
        { key: 'NEW', value: 'y', secure: false },
      ],
    );
    expect(diff.map((entry) => [entry.key, entry.change])).toEqual([
      ['A', 'changed'],
      ['GONE', 'removed'],
      ['NEW', 'added'],
      ['S', 'changed'],
      ['T', 'unchanged'],
    ]);
    const lines = formatConfigDiff(diff, { unchanged: true });
    expect(lines).toEqual(['~ A: 1 -> 2', '- GONE: removed', '+ NEW=y', '~ S (secure): changed', '  T (secure): unchanged']);
    expect(lines.join('\n')).not.toMatch(/secret/);
  });

  it("keeps a value of many lines, or with an escape sequence, on its key's one line, written out", () => {
    const diff = diffParameters(
      [{ key: 'MOTD', value: 'one\ntwo', secure: false }],
      [
        { key: 'MOTD', value: '\u001b[2Jthree', secure: false },
        { key: 'NEW', value: 'a\tb\r\n', secure: false },
      ],
    );
    expect(formatConfigDiff(diff)).toEqual(['~ MOTD: one\\ntwo -> \\u001b[2Jthree', '+ NEW=a\\tb\\r\\n']);
  });
});

describe('a rollback plan', () => {
  const history: LivePairHistoryEntry[] = [
    { release: 'r-aaaaaaaaaaaa', config: 1, at: '2026-01-01T00:00:00Z', cause: 'deploy' },
    { release: 'r-aaaaaaaaaaaa', config: 2, at: '2026-01-02T00:00:00Z', cause: 'config' },
    { release: 'r-bbbbbbbbbbbb', config: 2, at: '2026-01-03T00:00:00Z', cause: 'deploy' },
    { release: 'r-bbbbbbbbbbbb', config: 3, at: '2026-01-04T00:00:00Z', cause: 'config' },
  ];
  const values = async (version: number) => [{ key: 'V', value: String(version), secure: false }];
  const sources = {
    stage: 'prod',
    history,
    current: { release: 'r-bbbbbbbbbbbb', config: 3 },
    values,
    unrestorableConfig: async () => undefined,
    unrestorableRelease: async () => undefined,
  };

  it('goes to the previous release with the last config it was live with', async () => {
    const plan = await planRollback(sources, 'previous', 'pinned');
    expect(plan.to).toEqual({ release: 'r-aaaaaaaaaaaa', config: 2 });
    expect(formatConfigDiff(plan.diff ?? [])).toEqual(['~ V: 3 -> 2']);
    expect(plan.liveConfigUnreadable).toBeUndefined();
  });

  it('keeps the live config for a release never live on the stage, which pins none, and says so', async () => {
    const plan = await planRollback(sources, 'r-cccccccccccc', 'pinned');
    expect(plan).toMatchObject({ to: { release: 'r-cccccccccccc', config: 3 }, configMode: 'current', pinsNone: true });
    expect((await planRollback(sources, 'previous', 'pinned')).pinsNone).toBeUndefined();
  });

  it('keeps the live config with current', async () => {
    expect((await planRollback(sources, 'previous', 'current')).to).toEqual({ release: 'r-aaaaaaaaaaaa', config: 3 });
  });

  /** The sources of a stage whose live config v3 names a value that is no longer kept. */
  const liveGone = {
    ...sources,
    values: async (version: number) => {
      if (version === 3) throw new Error('config v3 needs a version of V that SSM no longer holds');
      return values(version);
    },
    unrestorableConfig: async (version: number) => (version === 3 ? 'config v3 needs a version of V that SSM no longer holds' : undefined),
  };

  it('keeps the live config with current reading no value, so a live config whose value is gone moves the code alone, and says so', async () => {
    const plan = await planRollback(liveGone, 'previous', 'current');
    expect(plan).toMatchObject({
      to: { release: 'r-aaaaaaaaaaaa', config: 3 },
      diff: [],
      liveConfigUnreadable: 'config v3 needs a version of V that SSM no longer holds',
    });
  });

  it('leaves the diff out, rather than refuse, when the live config cannot be read whole and the pinned one can', async () => {
    const plan = await planRollback(liveGone, 'previous', 'pinned');
    expect(plan.to).toEqual({ release: 'r-aaaaaaaaaaaa', config: 2 });
    expect(plan.diff).toBeUndefined();
    expect(plan.liveConfigUnreadable).toBe('config v3 needs a version of V that SSM no longer holds');
  });

  it('fails as the read of the live values failed where they are all kept (a read that failed, not a value gone)', async () => {
    const failing = {
      ...sources,
      values: async (version: number) => {
        if (version === 3) throw new Error('ssm:GetParameters was denied');
        return values(version);
      },
    };
    await expect(planRollback(failing, 'previous', 'pinned')).rejects.toThrow('ssm:GetParameters was denied');
  });

  it('refuses, naming why, a release whose versions are gone or whose pinned config fell out of the history', async () => {
    await expect(
      planRollback({ ...sources, unrestorableRelease: async () => 'its function versions are gone' }, 'previous', 'pinned'),
    ).rejects.toThrow('Cannot roll back to r-aaaaaaaaaaaa: its function versions are gone.');
    await expect(
      planRollback(
        { ...sources, unrestorableConfig: async (version) => `config v${version} needs A:1, which has fallen out` },
        'previous',
        'pinned',
      ),
    ).rejects.toThrow('Cannot roll back to r-aaaaaaaaaaaa: config v2 needs A:1, which has fallen out.');
  });

  it('without a previous release in the history, says how to name one, on the same stage', async () => {
    const alone = { ...sources, history: history.filter((entry) => entry.release === 'r-bbbbbbbbbbbb') };
    await expect(planRollback(alone, 'previous', 'pinned')).rejects.toMatchObject({
      exitCode: 64,
      hint: 'Roll back to another retained release by its id: cnf-admin rollback --to <release> --stage prod (cnf-admin releases --stage prod lists them).',
    });
  });
});
