/**
 * Every export of `cnf-admin/runtime` (and `cnf-admin/runtime/config`, `cnf-admin/migrations`) is
 * documented with TSDoc that shows it in use: an `@example`.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const ENTRY_POINTS = ['lib/runtime/index.ts', 'lib/runtime/config.ts', 'lib/runtime/migrations/index.ts'];

/** The exports of an entry point that have no `@example` in their TSDoc. */
function exportsWithoutExample(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(REPO_ROOT, entry));
  if (source === undefined) throw new Error(`${entry} is not in the program`);
  const module = checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`${entry} has no exports`);
  return checker
    .getExportsOfModule(module)
    .filter((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const tags = (target.declarations ?? []).flatMap((declaration) => ts.getJSDocTags(declaration));
      return !tags.some((tag) => tag.tagName.text === 'example');
    })
    .map((symbol) => symbol.name)
    .sort();
}

describe('the runtime API', () => {
  it('has an @example in the TSDoc of every export', () => {
    const program = ts.createProgram(
      ENTRY_POINTS.map((entry) => join(REPO_ROOT, entry)),
      { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023, noEmit: true },
    );
    expect(Object.fromEntries(ENTRY_POINTS.map((entry) => [entry, exportsWithoutExample(program, entry)]))).toEqual(
      Object.fromEntries(ENTRY_POINTS.map((entry) => [entry, []])),
    );
  });
});
