import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermissionError, UnavailableError } from '../../../lib/core/errors.js';
import { moveAliasPair, readAliasPair, readAliases } from '../../../lib/platform/local/alias-store.js';
import { assertStateDirectories, stateFault } from '../../../lib/platform/local/local-state.js';
import { LocalParameterStore } from '../../../lib/platform/local/local-parameters.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { readRelease } from '../../../lib/platform/local/release-store.js';
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
    ['not a pair', '{"live": {"web": "r-0123456789ab"}}', /live\.admin: Invalid input: expected string/],
  ])('is a clear error, not a crash, when corrupted (%s)', async (_case, content, message) => {
    const paths = stage();
    writeFileSync(paths.aliases, content);
    const error = await readAliases(paths).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toMatch(message);
    expect((error as UnavailableError).message).toContain(paths.aliases);
    expect((error as UnavailableError).hint).toContain(`move just that file aside (mv ${paths.aliases} ${paths.aliases}.damaged)`);
  });
});

describe('a stored release record', () => {
  const release = 'r-0123456789ab';
  const sha256 = 'a'.repeat(64);
  const record = (fields: Record<string, unknown>) => ({
    release,
    createdAt: '2026-12-03T06:00:00.000Z',
    sourceFingerprint: '0123456789abcdef',
    catalog: { tasks: [], scripts: [] },
    ...fields,
  });

  function storeRecord(content: unknown) {
    const paths = stage();
    mkdirSync(join(paths.releases, release), { recursive: true });
    writeFileSync(join(paths.releases, release, 'release.json'), JSON.stringify(content));
    return paths;
  }

  it('reads its inputs, source stamps and bundle files', async () => {
    const fields = {
      inputs: ['lambda/admin.ts', 'node_modules/pg/lib/index.js'],
      sources: { 'lambda/admin.ts': { size: 9, mtimeMs: 1.5, sha256 } },
      files: [
        { path: 'admin.mjs', size: 0, sha256, mtimeMs: 2 },
        { path: 'web.mjs', size: 12, sha256 },
      ],
    };
    expect(await readRelease(storeRecord(record(fields)), release)).toMatchObject(fields);
  });

  it.each([
    ['inputs that are not a list', { inputs: 'lambda/admin.ts' }, /inputs: expected a list of paths/],
    ['an input that is not a path', { inputs: ['lambda/admin.ts', 7] }, /inputs: expected a list of paths/],
    [
      'a source stamp without its hash',
      { sources: { 'lambda/admin.ts': { size: 9, mtimeMs: 1 } } },
      /sources: expected a size, time and SHA-256/,
    ],
    [
      'a bundle file with a short hash',
      { files: [{ path: 'admin.mjs', size: 1, sha256: 'abc' }] },
      /files: expected a path, size and SHA-256/,
    ],
    [
      'a bundle file with a negative size',
      { files: [{ path: 'admin.mjs', size: -1, sha256 }] },
      /files: expected a path, size and SHA-256/,
    ],
    ['a bundle file without a path', { files: [{ path: '', size: 1, sha256 }] }, /files: expected a path, size and SHA-256/],
  ])('is corrupted state (69) with %s', async (_case, fields, message) => {
    const error = await readRelease(storeRecord(record(fields)), release).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toMatch(message);
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

describe('lookups keyed by what a user typed', () => {
  it('find only own entries: toString, constructor and __proto__ are not parameters or alias pairs', async () => {
    const paths = stage();
    const store = new LocalParameterStore(paths.parameters);
    await store.set('MODE', 'dev', { secure: false });
    await moveAliasPair(paths, 'live', 'r-0123456789ab');
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(await store.get(name === '__proto__' ? 'valueOf' : name)).toBeUndefined();
      expect(await readAliasPair(paths, name)).toBeUndefined();
      expect((await readAliases(paths))[name]).toBeUndefined();
    }
    expect(await store.unset('toString')).toBe(false);
    expect((await store.list()).map((parameter) => parameter.key)).toEqual(['MODE']);
  });
});

describe('state files checked against their schema', () => {
  it.each([
    [
      'a value that is not a string',
      '{"parameters": {"MODE": {"value": 1, "secure": false}}}',
      /MODE\.value: Invalid input: expected string/,
    ],
    ['no parameters object', '{"params": {}}', /parameters: Invalid input/],
  ])('a parameter file with %s is corrupted state (69), naming the file', async (_case, content, problem) => {
    const paths = stage();
    writeFileSync(paths.parameters, content);
    const error = await new LocalParameterStore(paths.parameters).list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain(paths.parameters);
    expect((error as Error).message).toMatch(problem);
    // Moving it aside would lose every value: the hint says to mend or restore it instead.
    expect((error as UnavailableError).hint).toContain('Do not move it aside');
    expect((error as UnavailableError).hint).not.toContain('.damaged');
  });
});

describe('file system faults', () => {
  it('maps a permission error to 77 naming the path, and a file in the way to 69', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', path: '/p/.cnf/local/logs' });
    expect(stateFault(denied, '/p/.cnf')).toMatchObject({
      exitCode: 77,
      message: "Cannot write the local stage's state at /p/.cnf/local/logs: permission denied (EACCES).",
    });
    const inTheWay = Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR', path: '/p/.cnf/local' });
    expect(stateFault(inTheWay, '/p/.cnf')).toBeInstanceOf(UnavailableError);
    const other = new Error('something else');
    expect(stateFault(other, '/p/.cnf')).toBe(other);
  });

  it('says of an operation not permitted even to its owner (EPERM) that an attribute refuses it, not its owner', () => {
    const immutable = Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM', path: '/p/.cnf/local/runs' });
    const fault = stateFault(immutable, '/p/.cnf') as PermissionError;
    expect(fault).toMatchObject({ exitCode: 77, message: expect.stringContaining('/p/.cnf/local/runs') });
    expect(fault.hint).toContain('chattr -i');
    expect(fault.hint).not.toContain('chown');
  });

  it('names the file a rename was refused over, not the temporary sibling it renamed (gone by then)', () => {
    const refused = Object.assign(new Error('EPERM: operation not permitted, rename'), {
      code: 'EPERM',
      syscall: 'rename',
      path: '/p/.cnf/local/.tmp-parameters.json-42-0a1b2c3d',
      dest: '/p/.cnf/local/parameters.json',
    });
    const fault = stateFault(refused, '/p/.cnf/local/parameters.json') as PermissionError;
    expect(fault.message).toBe("Cannot write the local stage's state at /p/.cnf/local/parameters.json: operation not permitted (EPERM).");
    expect(fault.hint).toContain('/p/.cnf/local/parameters.json may be immutable');
    expect(`${fault.message} ${fault.hint ?? ''}`).not.toContain('.tmp-');
  });

  it.each([
    ['a file', (dir: string) => writeFileSync(join(dir, '.cnf'), 'not a directory'), 'a file'],
    ['a link to /dev/null', (dir: string) => symlinkSync('/dev/null', join(dir, '.cnf')), 'a device'],
  ])('.cnf that is %s is unusable state (69), naming it', (_case, make, kind) => {
    const dir = tempDir('cnf-state');
    make(dir);
    const paths = localPaths({ stateDir: join(dir, '.cnf') });
    const error = (() => {
      try {
        assertStateDirectories(paths);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(`The local stage keeps its state in ${join(dir, '.cnf')}, but that is ${kind}, not a directory.`);
  });
});
