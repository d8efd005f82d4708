import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKED_HASHES_FILE, CheckedHashes } from '../../../lib/core/files/checked-hashes.js';
import { tempDir } from '../../support/temp-dir.js';

/** A state directory, and a file to hash dated long ago. */
function setup(): { stateDir: string; file: string } {
  const root = tempDir('cnf-checked-hashes');
  const stateDir = join(root, '.cnf');
  mkdirSync(stateDir);
  const file = join(root, 'admin.mjs');
  writeFileSync(file, 'export {}');
  // A time the file system keeps exactly, as archives set it.
  utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
  return { stateDir, file };
}

/** A hash function that counts its calls. */
function counting(): { hash: () => string; calls: () => number } {
  let calls = 0;
  return {
    hash: () => {
      calls += 1;
      return `hash-${calls}`;
    },
    calls: () => calls,
  };
}

/** A clock some seconds ahead: the file changed long enough ago for its hash to be kept. */
const later = (): number => Date.now() + 10_000;

describe('CheckedHashes', () => {
  it('hashes a file once, for every later check of another process, while it stays as it is', () => {
    const { stateDir, file } = setup();
    const { hash, calls } = counting();
    const first = new CheckedHashes(stateDir, later);
    expect(first.hashOf(file, statSync(file), 'bundle-file', hash)).toBe('hash-1');
    first.save();
    const next = new CheckedHashes(stateDir, later);
    expect(next.hashOf(file, statSync(file), 'bundle-file', hash)).toBe('hash-1');
    expect(calls()).toBe(1);
  });

  it('hashes again a file written since, though its size and modification time were put back', () => {
    const { stateDir, file } = setup();
    const { hash, calls } = counting();
    const before = statSync(file);
    const first = new CheckedHashes(stateDir, later);
    first.hashOf(file, before, 'bundle-file', hash);
    first.save();
    writeFileSync(file, 'export {;');
    utimesSync(file, before.atime, before.mtime);
    const after = statSync(file);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(new CheckedHashes(stateDir, later).hashOf(file, after, 'bundle-file', hash)).toBe('hash-2');
    expect(calls()).toBe(2);
  });

  it('keeps no hash of a file that changed within the file system clock’s tick of its check', () => {
    const { stateDir, file } = setup();
    const { hash, calls } = counting();
    const first = new CheckedHashes(stateDir);
    first.hashOf(file, statSync(file), 'bundle-file', hash);
    first.save();
    expect(existsSync(join(stateDir, CHECKED_HASHES_FILE))).toBe(false);
    expect(new CheckedHashes(stateDir).hashOf(file, statSync(file), 'bundle-file', hash)).toBe('hash-2');
    expect(calls()).toBe(2);
  });

  it('keeps the hashes of one way of hashing apart from another’s', () => {
    const { stateDir, file } = setup();
    const { hash, calls } = counting();
    const hashes = new CheckedHashes(stateDir, later);
    hashes.hashOf(file, statSync(file), 'bundle-file', hash);
    expect(hashes.hashOf(file, statSync(file), 'source', hash)).toBe('hash-2');
    expect(hashes.hashOf(file, statSync(file), 'bundle-file', hash)).toBe('hash-1');
    expect(calls()).toBe(2);
  });

  it('hashes again where the record is damaged, and answers where it cannot be written', () => {
    const { stateDir, file } = setup();
    const { hash, calls } = counting();
    writeFileSync(join(stateDir, CHECKED_HASHES_FILE), '{"bundle-file\\u0000x": 3, ');
    const damaged = new CheckedHashes(stateDir, later);
    expect(damaged.hashOf(file, statSync(file), 'bundle-file', hash)).toBe('hash-1');
    damaged.save();
    expect(JSON.parse(readFileSync(join(stateDir, CHECKED_HASHES_FILE), 'utf8'))).toMatchObject({
      [`bundle-file\0${file}`]: { hash: 'hash-1' },
    });
    const nowhere = new CheckedHashes(join(stateDir, 'missing'), later);
    expect(nowhere.hashOf(file, statSync(file), 'bundle-file', hash)).toBe('hash-2');
    expect(() => nowhere.save()).not.toThrow();
    expect(calls()).toBe(2);
  });
});
