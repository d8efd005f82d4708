import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  changedSources as changedSourcesWith,
  fingerprintOf,
  sourceFingerprint,
  stampSources,
  type SourceStamps,
} from '../../lib/bundle/source-fingerprint.js';
import { CHECKED_HASHES_FILE, CheckedHashes } from '../../lib/core/files/checked-hashes.js';
import { tempDir } from '../support/temp-dir.js';

/** The changed sources, as a check with the hashes kept in the tree's own `.cnf/` tells them. */
function changedSources(root: string, stamps: SourceStamps): string[] {
  return changedSourcesWith(root, stamps, new CheckedHashes(join(root, '.cnf')));
}

function tree(): string {
  const root = tempDir('cnf-fingerprint');
  writeFileSync(join(root, 'web.ts'), 'export {}');
  writeFileSync(join(root, 'unrelated.md'), 'notes');
  writeFileSync(join(root, 'package-lock.json'), '{"v":1}');
  writeFileSync(join(root, 'cdk.json'), '{"context":{"cnf":{"app":"notes"}}}');
  mkdirSync(join(root, '.cnf'));
  return root;
}

describe('sourceFingerprint', () => {
  it('changes when an input, the lockfile or cdk.json changes, not when another file does', () => {
    const root = tree();
    const inputs = ['web.ts', 'node_modules/pg/index.js'];
    const before = sourceFingerprint(root, inputs);
    writeFileSync(join(root, 'unrelated.md'), 'changed');
    expect(sourceFingerprint(root, inputs)).toBe(before);
    writeFileSync(join(root, 'web.ts'), 'export const x = 1');
    const afterInput = sourceFingerprint(root, inputs);
    expect(afterInput).not.toBe(before);
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}');
    const afterLockfile = sourceFingerprint(root, inputs);
    expect(afterLockfile).not.toBe(afterInput);
    // the build's settings: another admin entry, say
    writeFileSync(join(root, 'cdk.json'), '{"context":{"cnf":{"app":"notes","adminEntry":"lambda/ops.ts"}}}');
    const afterSettings = sourceFingerprint(root, inputs);
    expect(afterSettings).not.toBe(afterLockfile);
    // not the stages, nor the CDK's own context: no bundle is built from them
    writeFileSync(
      join(root, 'cdk.json'),
      '{"context":{"@aws-cdk/core:flag":true,"cnf":{"app":"notes","adminEntry":"lambda/ops.ts","stages":{"local":{"releasePhase":"migrate"}}}}}',
    );
    expect(sourceFingerprint(root, inputs)).toBe(afterSettings);
  });
});

describe('changedSources', () => {
  it('names the sources whose content changed or that were deleted, and not those only touched', () => {
    const root = tree();
    writeFileSync(join(root, 'db.ts'), 'export {}');
    const stamps = stampSources(root, ['web.ts', 'db.ts', 'node_modules/pg/index.js']);
    expect(Object.keys(stamps)).toEqual(['cdk.json', 'db.ts', 'package-lock.json', 'web.ts']);
    expect(changedSources(root, stamps)).toEqual([]);
    // the same content, written again (a new modification time): hashed, and unchanged
    utimesSync(join(root, 'web.ts'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(changedSources(root, stamps)).toEqual([]);
    // a change of the same size
    writeFileSync(join(root, 'web.ts'), 'export {;');
    rmSync(join(root, 'db.ts'));
    expect(changedSources(root, stamps)).toEqual(['db.ts', 'web.ts']);
    expect(fingerprintOf(stampSources(root, ['web.ts', 'db.ts']))).not.toBe(fingerprintOf(stamps));
  });

  it('names a source edited to the same size whose modification time was put back (cp -p, rsync -a, tar x)', () => {
    const root = tree();
    const file = join(root, 'web.ts');
    // A time the file system keeps exactly, as `touch -d` and archives set it.
    const kept = new Date(2001, 1, 1);
    utimesSync(file, kept, kept);
    const stamps = stampSources(root, ['web.ts']);
    writeFileSync(file, 'export {;');
    utimesSync(file, kept, kept);
    expect(statSync(file).size).toBe(stamps['web.ts']?.size);
    expect(statSync(file).mtimeMs).toBe(stamps['web.ts']?.mtimeMs);
    expect(changedSources(root, stamps)).toEqual(['web.ts']);
  });

  it('takes a stamp of an older cnf-admin, with no change time, by its size and modification time', () => {
    const root = tree();
    const kept = new Date(2001, 1, 1);
    utimesSync(join(root, 'web.ts'), kept, kept);
    const { ctimeMs: _unrecorded, ...older } = stampSources(root, ['web.ts'])['web.ts'] ?? { size: 0, mtimeMs: 0, sha256: '' };
    writeFileSync(join(root, 'web.ts'), 'export {;');
    utimesSync(join(root, 'web.ts'), kept, kept);
    expect(changedSources(root, { 'web.ts': older })).toEqual([]);
  });

  it('counts a source modified while the build ran as changed, whatever it holds: the build may have read it before', () => {
    const root = tree();
    const at = (file: string, ms: number): void => utimesSync(join(root, file), new Date(ms), new Date(ms));
    const builtSince = Date.now() - 1000;
    at('web.ts', builtSince - 60_000); // saved before the build began
    at('cdk.json', builtSince + 500); // saved while it ran
    at('package-lock.json', Date.now() + 3_600_000); // dated ahead (another machine's clock): no time of this build
    const stamps = stampSources(root, ['web.ts'], builtSince);
    expect(changedSources(root, stamps)).toEqual(['cdk.json']);
    expect(stamps['web.ts']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stamps['package-lock.json']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Without the build's start, the same tree stamps as it stands.
    expect(changedSources(root, stampSources(root, ['web.ts']))).toEqual([]);
  });

  it('keeps the hash of a source whose times moved, and still names it once it is edited to the same size and time', () => {
    const root = tree();
    const file = join(root, 'web.ts');
    const kept = new Date(2001, 1, 1);
    utimesSync(file, kept, kept);
    const stamps = stampSources(root, ['web.ts']);
    // A copy of the tree, as it were: the same bytes, other times; checked as if some seconds later.
    utimesSync(file, new Date(2002, 1, 1), new Date(2002, 1, 1));
    const later = (): number => Date.now() + 10_000;
    const check = (): string[] => changedSourcesWith(root, stamps, new CheckedHashes(join(root, '.cnf'), later));
    expect(check()).toEqual([]);
    expect(readFileSync(join(root, '.cnf', CHECKED_HASHES_FILE), 'utf8')).toContain(stamps['web.ts']?.sha256);
    expect(check()).toEqual([]);
    writeFileSync(file, 'export {;');
    utimesSync(file, new Date(2002, 1, 1), new Date(2002, 1, 1));
    expect(check()).toEqual(['web.ts']);
  });

  it('gives the fingerprint sourceFingerprint gives, so that releases stored before stamps compare alike', () => {
    const root = tree();
    expect(fingerprintOf(stampSources(root, ['web.ts']))).toBe(sourceFingerprint(root, ['web.ts']));
  });
});
