/**
 * The example app and the test fixtures use cnf-admin as any app does: by
 * the package's name, through its `exports` map, never by a path into
 * `lib/`. This repository then runs what its users get.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const APP_SOURCES = ['lambda', 'scripts', 'bin/cdk-app.ts', 'test/fixtures'];

const exported = new Set(
  Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports).map(
    (subpath) => subpath.replace(/^\./, 'cnf-admin'),
  ),
);

function sourceFiles(path: string): string[] {
  if (path.endsWith('.ts')) return [path];
  return readdirSync(join(REPO_ROOT, path), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)));
}

function specifiersOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1] as string);
}

describe('the example app', () => {
  const imports = APP_SOURCES.flatMap(sourceFiles).flatMap((file) => specifiersOf(file).map((specifier) => ({ file, specifier })));

  it('imports cnf-admin by its exported subpaths only', () => {
    const byName = imports.filter(({ specifier }) => specifier === 'cnf-admin' || specifier.startsWith('cnf-admin/'));
    expect(byName.map(({ specifier }) => specifier)).toEqual(
      expect.arrayContaining(['cnf-admin/runtime', 'cnf-admin/runtime/config', 'cnf-admin/construct']),
    );
    expect(byName.filter(({ specifier }) => !exported.has(specifier))).toEqual([]);
  });

  it('reaches no file of the tool by a relative path', () => {
    const intoTool = imports.filter(({ file, specifier }) => {
      if (!specifier.startsWith('.')) return false;
      const target = relative(REPO_ROOT, resolve(dirname(join(REPO_ROOT, file)), specifier));
      return /^(lib|dist|tools)\//.test(target);
    });
    expect(intoTool).toEqual([]);
  });
});
