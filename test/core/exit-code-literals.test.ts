import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/core/exit-codes.js';

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/* cnf-admin's own codes (64 and up): a literal one beside ExitCode drifts when ExitCode changes. */
const RESERVED = Object.values(ExitCode).filter((code) => code > ExitCode.TASK_MAX);

describe('exit codes in lib/', () => {
  it('come from ExitCode: no literal 64..130 compared with or given as an exit code', () => {
    const codes = RESERVED.join('|');
    const literal = new RegExp(
      `(exitCode\\s*(===|!==|:|=)\\s*(${codes})\\b)|(\\b(${codes})\\s*(===|!==)\\s*\\w*exitCode)|(return\\s+(${codes});)`,
    );
    const found = sources(join(import.meta.dirname, '../../lib'))
      .filter((file) => !file.endsWith('exit-codes.ts'))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ line, at: `${file}:${index + 1}` }))
          .filter(({ line }) => !/^\s*(\*|\/\/)/.test(line) && literal.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });
});
