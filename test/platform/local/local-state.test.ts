import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../lib/core/errors.js';
import { moveAliasPair, readAliases } from '../../../lib/platform/local/alias-store.js';
import { LocalParameterStore } from '../../../lib/platform/local/local-parameters.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { tempDir } from '../../support/temp-dir.js';

function stage() {
  const paths = localPaths({ stateDir: join(tempDir('cnf-state'), '.cnf') });
  mkdirSync(paths.stageDir, { recursive: true });
  return paths;
}

describe('the local alias pair', () => {
  it('moves both halves together', async () => {
    const paths = stage();
    await moveAliasPair(paths, 'live', 'r-0123456789ab');
    expect(await readAliases(paths)).toEqual({ live: { web: 'r-0123456789ab', admin: 'r-0123456789ab' } });
  });

  it.each([
    ['not JSON', '{"live":', /not valid JSON/],
    ['not a pair', '{"live": {"web": "r-0123456789ab"}}', /alias pair "live" must be/],
  ])('is a clear error, not a crash, when corrupted (%s)', async (_case, content, message) => {
    const paths = stage();
    writeFileSync(paths.aliases, content);
    const error = await readAliases(paths).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toMatch(message);
    expect((error as UnavailableError).message).toContain(paths.aliases);
    expect((error as UnavailableError).hint).toContain('cnf-admin deploy --stage local');
  });
});

describe('LocalParameterStore', () => {
  it('sets, lists, gets and unsets parameters', async () => {
    const store = new LocalParameterStore(stage().parameters);
    await store.set('TOKEN', 't0k3n', { secure: true });
    await store.set('MODE', 'dev', { secure: false });
    expect(await store.list()).toEqual([
      { key: 'MODE', value: 'dev', secure: false },
      { key: 'TOKEN', value: 't0k3n', secure: true },
    ]);
    expect(await store.get('TOKEN')).toEqual({ key: 'TOKEN', value: 't0k3n', secure: true });
    expect(await store.unset('MODE')).toBe(true);
    expect(await store.unset('MODE')).toBe(false);
    expect(await store.get('MODE')).toBeUndefined();
  });

  it('refuses keys under the reserved prefix', async () => {
    const store = new LocalParameterStore(stage().parameters);
    await expect(store.set('_cnf/stage', 'x', { secure: false })).rejects.toThrow(/reserved _cnf\/ prefix/);
  });
});

describe('concurrent changes of the local state', () => {
  it('loses none of many parameters set at once', async () => {
    const store = new LocalParameterStore(stage().parameters);
    await Promise.all(Array.from({ length: 12 }, (_, index) => store.set(`KEY_${index}`, String(index), { secure: false })));
    expect((await store.list()).map((parameter) => parameter.key).sort()).toEqual(
      Array.from({ length: 12 }, (_, index) => `KEY_${index}`).sort(),
    );
  });

  it('loses none of many alias pairs moved at once', async () => {
    const paths = stage();
    await Promise.all(Array.from({ length: 8 }, (_, index) => moveAliasPair(paths, `pair${index}`, 'r-0123456789ab')));
    expect(Object.keys(await readAliases(paths)).sort()).toEqual(Array.from({ length: 8 }, (_, index) => `pair${index}`).sort());
  });
});
