import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFingerprint } from '../../lib/bundle/source-fingerprint.js';
import { tempDir } from '../support/temp-dir.js';

function tree(): string {
  const root = tempDir('cnf-fingerprint');
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
