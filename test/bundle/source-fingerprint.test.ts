import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFingerprint } from '../../lib/bundle/source-fingerprint.js';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'cnf-fingerprint-'));
  writeFileSync(join(root, 'web.ts'), 'export {}');
  writeFileSync(join(root, 'unrelated.md'), 'notes');
  writeFileSync(join(root, 'package-lock.json'), '{"v":1}');
  return root;
}

describe('sourceFingerprint', () => {
  it('changes when an input changes or the lockfile changes, not when another file does', () => {
    const root = tree();
    const inputs = ['web.ts', 'node_modules/pg/index.js'];
    const before = sourceFingerprint(root, inputs);
    writeFileSync(join(root, 'unrelated.md'), 'changed');
    expect(sourceFingerprint(root, inputs)).toBe(before);
    writeFileSync(join(root, 'web.ts'), 'export const x = 1');
    const afterInput = sourceFingerprint(root, inputs);
    expect(afterInput).not.toBe(before);
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}');
    expect(sourceFingerprint(root, inputs)).not.toBe(afterInput);
  });
});
