import { describe, expect, it } from 'vitest';
import { stageMoves } from '../../../lib/cli/ui/stage-moves.js';
import type { Platform, RunQuery } from '../../../lib/core/platform.js';
import type { RunRecord } from '../../../lib/core/run.js';

const rollback: RunRecord = {
  runId: 'rb-1',
  task: 'cnf:rollback',
  args: { from: 'r-222222222222 v4', to: 'r-111111111111 v2', config: 'pinned', reason: 'errors after deploy' },
  release: 'r-111111111111',
  source: 'cli',
  caller: 'arn:aws:sts::1:assumed-role/Admin/alice',
  startedAt: '2026-11-24T10:00:00.000Z',
  endedAt: '2026-11-24T10:00:02.000Z',
  exitCode: 0,
  configVersion: 2,
  log: 'none',
};

describe('the moves of the live pair the ui marks', () => {
  it('are the stage history, with who moved it, where the stage keeps one', async () => {
    const platform = {
      livePairs: {
        history: async () => [
          { release: 'r-111111111111', config: 1, at: '2026-11-20T00:00:00.000Z', cause: 'deploy', by: 'alice@laptop' },
          { release: 'r-111111111111', config: 2, at: '2026-11-21T00:00:00.000Z', cause: 'rollback', by: 'bob@ci', reason: 'slow' },
        ],
      },
    } as unknown as Platform;
    expect(await stageMoves(platform)).toEqual([
      { at: '2026-11-20T00:00:00.000Z', cause: 'deploy', release: 'r-111111111111', config: 1, by: 'alice@laptop' },
      { at: '2026-11-21T00:00:00.000Z', cause: 'rollback', release: 'r-111111111111', config: 2, by: 'bob@ci', reason: 'slow' },
    ]);
  });

  it('name what made each config version, and the version a config rollback restored', async () => {
    const version = (number: number, cause: string, hash: string) => ({ version: number, cause, hash, keys: {}, changed: [] });
    const platform = {
      livePairs: {
        history: async () =>
          [2, 3, 4].map((config, index) => ({ release: 'r-111111111111', config, at: `2026-11-2${index}T00:00:00.000Z`, cause: 'config' })),
      },
      configVersions: {
        versions: async () => [
          version(1, 'initial', 'cv-a'),
          version(2, 'set', 'cv-b'),
          version(3, 'set', 'cv-c'),
          version(4, 'config-rollback', 'cv-b'),
        ],
      },
    } as unknown as Platform;
    expect((await stageMoves(platform)).map(({ cause, config, restoredConfig }) => ({ cause, config, restoredConfig }))).toEqual([
      { cause: 'set', config: 2, restoredConfig: undefined },
      { cause: 'set', config: 3, restoredConfig: undefined },
      { cause: 'config-rollback', config: 4, restoredConfig: 2 },
    ]);
  });

  it('name the version a config rollback recorded it restored, where an older version holds the same values too', async () => {
    const version = (number: number, cause: string, hash: string, restores?: number) => ({
      version: number,
      cause,
      hash,
      keys: {},
      changed: [],
      ...(restores === undefined ? {} : { restores }),
    });
    const platform = {
      livePairs: { history: async () => [{ release: 'r-111111111111', config: 5, at: '2026-11-25T00:00:00.000Z', cause: 'config' }] },
      configVersions: {
        versions: async () => [
          version(2, 'set', 'cv-b'),
          version(3, 'set', 'cv-c'),
          // v4 unset what v3 set: it holds v2's values, and is the newest older version with its hash
          version(4, 'unset', 'cv-b'),
          version(5, 'config-rollback', 'cv-b', 2),
        ],
      },
    } as unknown as Platform;
    expect((await stageMoves(platform)).map(({ restoredConfig }) => restoredConfig)).toEqual([2]);
  });

  it("are the ledger's succeeded rollback runs, oldest first, where the stage keeps no history", async () => {
    const asked: RunQuery[] = [];
    const later = { ...rollback, runId: 'rb-2', startedAt: '2026-11-25T10:00:00.000Z', endedAt: '2026-11-25T10:00:01.000Z', args: {} };
    const platform = {
      runs: async (query: RunQuery) => {
        asked.push(query);
        return [later, rollback];
      },
    } as unknown as Platform;
    expect(await stageMoves(platform)).toEqual([
      {
        at: '2026-11-24T10:00:02.000Z',
        cause: 'rollback',
        release: 'r-111111111111',
        config: 2,
        by: 'arn:aws:sts::1:assumed-role/Admin/alice',
        reason: 'errors after deploy',
      },
      {
        at: '2026-11-25T10:00:01.000Z',
        cause: 'rollback',
        release: 'r-111111111111',
        config: 2,
        by: 'arn:aws:sts::1:assumed-role/Admin/alice',
      },
    ]);
    expect(asked).toEqual([{ task: 'cnf:rollback', status: 'succeeded', limit: 500 }]);
  });
});
