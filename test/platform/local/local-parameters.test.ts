import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffParameters, PARAMETER_VERSION_HISTORY, secureMarker } from '../../../lib/core/config-version.js';
import { LocalParameterStore } from '../../../lib/platform/local/local-parameters.js';
import { tempDir } from '../../support/temp-dir.js';

function store(): { store: LocalParameterStore; file: string } {
  const file = join(tempDir('cnf-params'), 'parameters.json');
  return {
    store: new LocalParameterStore(
      file,
      () => 'alice@host',
      async () => 'r-aaaaaaaaaaaa',
    ),
    file,
  };
}

describe('the local parameter store, versioned', () => {
  it("gives every secure value it keeps as its secrets: those rotated out, and unset ones' too, never a plain value", async () => {
    const { store: parameters } = store();
    await parameters.set('TOKEN', 'token-first-1111', { secure: true });
    await parameters.set('TOKEN', 'token-second-2222', { secure: true });
    await parameters.set('OLD_KEY', 'old-key-value-3333', { secure: true });
    await parameters.unset('OLD_KEY');
    await parameters.set('PLAIN', 'plain-value-4444', { secure: false });
    expect((await parameters.secrets()).sort()).toEqual(['old-key-value-3333', 'token-first-1111', 'token-second-2222']);
  });

  it('makes a config version per change, live at once, owner-only on disk', async () => {
    const { store: parameters, file } = store();
    await parameters.set('A', '1', { secure: false });
    await parameters.set('S', 'secret', { secure: true });
    await parameters.set('A', '1', { secure: false }); // the same value: no new version
    expect(await parameters.unset('A')).toBe(true);
    const versions = await parameters.versions();
    expect(versions.map((version) => [version.version, version.cause, version.changed])).toEqual([
      [1, 'initial', []],
      [2, 'set', ['A']],
      [3, 'set', ['S']],
      [4, 'unset', ['A']],
    ]);
    expect(versions[2]).toMatchObject({
      createdBy: 'alice@host',
      keys: { A: { version: 1, secure: false }, S: { version: 1, secure: true } },
    });
    expect(await parameters.live()).toBe(4);
    // a secure value by its version, never its text
    expect(await parameters.values(3)).toEqual([
      { key: 'A', value: '1', secure: false },
      { key: 'S', value: secureMarker(1), secure: true },
    ]);
    expect(await parameters.list()).toEqual([{ key: 'S', value: 'secret', secure: true }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await parameters.moves()).map((move) => move.config)).toEqual([2, 3, 4]);
  });

  it('makes a version when a secure value is set to what it is, as on AWS: the answer never confirms a guessed secret', async () => {
    const { store: parameters } = store();
    await parameters.set('TOKEN', 'guess-me-1234', { secure: true });
    await parameters.set('TOKEN', 'guess-me-1234', { secure: true });
    await parameters.set('TOKEN', 'guess-me-5678', { secure: true });
    expect((await parameters.versions()).map((version) => [version.version, version.cause, version.keys.TOKEN?.version])).toEqual([
      [1, 'initial', undefined],
      [2, 'set', 1],
      [3, 'set', 2],
      [4, 'set', 3],
    ]);
    // nor does a diff of the two versions that hold the same text: they hold two versions of the key
    expect(diffParameters(await parameters.values(2), await parameters.values(3))).toEqual([
      { key: 'TOKEN', change: 'changed', secure: true, from: '********', to: '********' },
    ]);
  });

  it('keeps 100 versions of a key, as SSM does: a config version naming a dropped one cannot be restored', async () => {
    const { store: parameters } = store();
    await parameters.set('K', 'value-1', { secure: false });
    const first = (await parameters.live()) as number;
    for (let n = 2; n <= PARAMETER_VERSION_HISTORY + 1; n += 1) await parameters.set('K', `value-${n}`, { secure: false });
    expect(await parameters.unrestorable(first)).toBe(
      `config v${first} needs K:1, which has fallen out of the parameter's history of 100 versions`,
    );
    await expect(parameters.restore(first)).rejects.toThrow(/^Config v2 needs K:1, which has fallen out .*; it cannot be restored\.$/);
    // and says what to do: a newer version, or the key set again
    await expect(parameters.values(first)).rejects.toMatchObject({ hint: expect.stringContaining('cnf-admin config history lists them') });
    expect(await parameters.unrestorable(first + 1)).toBeUndefined();
    const restored = await parameters.restore(first + 1);
    expect(await parameters.values(restored.version)).toEqual([{ key: 'K', value: 'value-2', secure: false }]);
    // It records the version it restored, as it is kept: the ui and config history name it.
    expect((await parameters.versions()).at(-1)).toMatchObject({ cause: 'config-rollback', restores: first + 1 });
  });

  it('keeps a managed key out of every version, and current in all of them', async () => {
    const { store: parameters } = store();
    await parameters.initialize({ DATABASE_URL: { value: 'postgres://one', secure: false } }, ['DATABASE_URL']);
    await parameters.set('A', '1', { secure: false });
    await parameters.setManaged('DATABASE_URL', 'postgres://two');
    expect(Object.keys((await parameters.versions()).at(-1)?.keys ?? {})).toEqual(['A']);
    expect(await parameters.values(1)).toEqual([{ key: 'DATABASE_URL', value: 'postgres://two', secure: false }]);
  });
});
