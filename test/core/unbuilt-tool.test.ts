import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unbuiltToolCopy } from '../../lib/core/unbuilt-tool.js';
import { tempDir } from '../support/temp-dir.js';

const TOOL_MANIFEST = JSON.stringify({ name: 'cnf-admin', exports: { './runtime': './dist/lib/runtime/index.js' } });

/** A directory with `files` (path: content) written into it. */
function tree(files: Readonly<Record<string, string>>): string {
  const root = tempDir('cnf-unbuilt-tool');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('unbuiltToolCopy', () => {
  it("names cnf-admin's own repository, without dist/, when its example app imports it", () => {
    const root = tree({ 'package.json': TOOL_MANIFEST, 'lambda/admin.ts': '' });
    expect(unbuiltToolCopy(join(root, 'lambda'))).toBe(root);
  });

  it('names nothing once the copy is built', () => {
    const root = tree({ 'package.json': TOOL_MANIFEST, 'lambda/admin.ts': '', 'dist/lib/runtime/index.js': '' });
    expect(unbuiltToolCopy(join(root, 'lambda'))).toBeUndefined();
  });

  it("names an installed copy without dist/ where the app's own package is another", () => {
    const root = tree({
      'package.json': JSON.stringify({ name: 'my-app' }),
      'lambda/admin.ts': '',
      'node_modules/cnf-admin/package.json': TOOL_MANIFEST,
    });
    expect(unbuiltToolCopy(join(root, 'lambda'))).toBe(join(root, 'node_modules', 'cnf-admin'));
  });

  it('names nothing where no copy is found, or the one found is built', () => {
    expect(unbuiltToolCopy(join(tree({ 'package.json': '{"name":"my-app"}', 'lambda/admin.ts': '' }), 'lambda'))).toBeUndefined();
    const built = tree({
      'package.json': '{"name":"my-app"}',
      'lambda/admin.ts': '',
      'node_modules/cnf-admin/package.json': TOOL_MANIFEST,
      'node_modules/cnf-admin/dist/lib/runtime/index.js': '',
    });
    expect(unbuiltToolCopy(join(built, 'lambda'))).toBeUndefined();
  });
});
