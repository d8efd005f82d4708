import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The compiler itself, on code as a command would read its options: a flag
 * renamed or misspelt in a command is a type error (TS2339), not undefined at
 * run time. (test/cli/typed-options.test.ts has the same checks inline, for
 * `npx tsc --noEmit`; this runs them as a test.)
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cnf-typed-options-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module that reads serve's and invoke's options as a command would; `read` is the line under test. */
function commandReading(read: string): string {
  return [
    `import type { CommandOptions } from ${JSON.stringify(join(ROOT, 'lib/cli/command-options.js'))};`,
    `export function serve(options: CommandOptions<'serve'>): number { return options.port; }`,
    `export function invoke(options: CommandOptions<'invoke'>): unknown { return ${read}; }`,
  ].join('\n');
}

describe('the compiler checks the options a command reads', () => {
  it('compiles what the flags declare, and refuses a misspelt or uncamelled name', async () => {
    writeFileSync(join(dir, 'good.mts'), commandReading('[options.runId, options.waitLock, options.dryRun]'));
    writeFileSync(join(dir, 'misspelt.mts'), commandReading('options.runid'));
    writeFileSync(join(dir, 'kebab.mts'), commandReading("options['dry-run']"));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.json'),
        compilerOptions: { typeRoots: [join(ROOT, 'node_modules/@types')], noEmit: true },
        include: [join(dir, '*.mts')],
      }),
    );

    const result = await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/@typescript/native/bin/tsc'), '-p', dir], {
      cwd: ROOT,
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    expect(result.code).not.toBe(0);
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors).toHaveLength(2);
    expect(errors.find((line) => line.includes('misspelt.mts'))).toMatch(
      /error TS2551: Property 'runid' does not exist .*Did you mean 'runId'\?/,
    );
    expect(errors.find((line) => line.includes('kebab.mts'))).toMatch(/error TS(2339|2551): Property 'dry-run' does not exist/);
    expect(errors.some((line) => line.includes('good.mts'))).toBe(false);
  });
});
