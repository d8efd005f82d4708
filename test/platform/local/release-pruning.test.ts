import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bundle } from '../../../lib/bundle/build-bundle.js';
import { KEPT_LOCAL_RELEASES, prunedReleasesNotice } from '../../../lib/core/release.js';
import { DEPLOY_CAUSE } from '../../../lib/core/rollback.js';
import { FileLedger } from '../../../lib/runtime/ledger/file-ledger.js';
import { moveAliasPair } from '../../../lib/platform/local/alias-store.js';
import { LocalParameterStore } from '../../../lib/platform/local/local-parameters.js';
import { localPaths, type LocalPaths } from '../../../lib/platform/local/local-paths.js';
import { pruneReleases } from '../../../lib/platform/local/release-pruning.js';
import { listReleases, storeRelease } from '../../../lib/platform/local/release-store.js';
import { tempDir } from '../../support/temp-dir.js';

/** The id of the nth release, r-000000000001 first. */
const idOf = (n: number): string => `r-${String(n).padStart(12, '0')}`;

/** A stage with `count` stored releases, one a minute, idOf(1) the oldest. */
async function stageWith(count: number): Promise<LocalPaths> {
  const paths = localPaths({ stateDir: join(tempDir('cnf-release-pruning'), '.cnf') });
  vi.useFakeTimers({ toFake: ['Date'] });
  for (let n = 1; n <= count; n += 1) {
    vi.setSystemTime(Date.UTC(2026, 11, 7, 8, n));
    const contents = Buffer.from(`export const n = ${n};\n`);
    const bundle = { release: idOf(n), files: [{ path: 'admin.mjs', contents }], catalog: { tasks: [], scripts: [] }, inputs: [] };
    await storeRelease(paths, bundle as unknown as Bundle, {});
  }
  vi.useRealTimers();
  return paths;
}

const storedIds = async (paths: LocalPaths): Promise<string[]> => (await listReleases(paths)).map((stored) => stored.release);

afterEach(() => vi.useRealTimers());

describe('pruneReleases', () => {
  it(`keeps every release while the stage holds ${KEPT_LOCAL_RELEASES} or fewer`, async () => {
    const paths = await stageWith(KEPT_LOCAL_RELEASES);
    expect(await pruneReleases(paths)).toEqual([]);
    expect(await storedIds(paths)).toHaveLength(KEPT_LOCAL_RELEASES);
  });

  it('removes the oldest beyond them, but for a pair’s, the live pair’s recent moves’ and a running run’s', async () => {
    // given 26 releases: the 20 newest are 7 to 26
    const paths = await stageWith(KEPT_LOCAL_RELEASES + 6);
    // the live pair serves 1 and another pair 2, a past move of the live pair went to 3, a run of 4 still runs
    await moveAliasPair(paths, 'live', idOf(1));
    await moveAliasPair(paths, 'canary', idOf(2));
    const store = new LocalParameterStore(paths.parameters, () => 'alice');
    await store.initialize({}, []);
    await store.recordMove({ release: idOf(3), cause: DEPLOY_CAUSE });
    await store.recordMove({ release: idOf(1), cause: DEPLOY_CAUSE });
    await new FileLedger(paths.ledger).claim({
      runId: '20261207-080000-abcdef',
      task: 'migrate',
      args: {},
      release: idOf(4),
      source: 'cli',
      caller: 'alice',
      startedAt: '2026-12-07T08:00:00.000Z',
      log: '/tmp/x.log',
    });
    // when the stage prunes
    const removed = await pruneReleases(paths);
    // then 5 and 6 go, newest first, and nothing of them is left aside
    expect(removed).toEqual([idOf(6), idOf(5)]);
    const kept = await storedIds(paths);
    expect(kept).toHaveLength(KEPT_LOCAL_RELEASES + 4);
    expect(kept).toEqual(expect.arrayContaining([idOf(1), idOf(3), idOf(4), idOf(7), idOf(26)]));
    expect(readdirSync(paths.releases).filter((name) => !name.startsWith('r-'))).toEqual([]);
  });

  it('removes nothing when what is in use cannot be read: a damaged ledger record', async () => {
    const paths = await stageWith(KEPT_LOCAL_RELEASES + 2);
    const ledger = new FileLedger(paths.ledger);
    await ledger.claim({
      runId: '20261207-080000-abcdef',
      task: 'migrate',
      args: {},
      release: idOf(1),
      source: 'cli',
      caller: 'alice',
      startedAt: '2026-12-07T08:00:00.000Z',
      log: '/tmp/x.log',
    });
    writeFileSync(join(paths.ledger, 'runs', '20261207-080000-abcdef.json'), '{ not json');
    expect(await pruneReleases(paths)).toEqual([]);
    expect(await storedIds(paths)).toHaveLength(KEPT_LOCAL_RELEASES + 2);
  });
});

describe('prunedReleasesNotice', () => {
  it('names what went, the first three of a long list, and what the stage keeps', () => {
    expect(prunedReleasesNotice(undefined)).toBeUndefined();
    expect(prunedReleasesNotice([])).toBeUndefined();
    expect(prunedReleasesNotice([idOf(2)])).toBe(
      `Removed an old release nothing uses (${idOf(2)}): the local stage keeps its ${KEPT_LOCAL_RELEASES} newest and those in use.`,
    );
    expect(prunedReleasesNotice([idOf(5), idOf(4), idOf(3), idOf(2), idOf(1)])).toBe(
      `Removed 5 old releases nothing uses (${idOf(5)}, ${idOf(4)}, ${idOf(3)} and 2 more): the local stage keeps its ${KEPT_LOCAL_RELEASES} newest and those in use.`,
    );
  });
});
