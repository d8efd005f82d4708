import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/** Runs `body` in a Node process of its own, with stdout and stderr as two pipes, under trackOpenLines (the built one). */
function underTracking(body: string, prelude = ''): { stdout: string; stderr: string } {
  const built = (file: string): string => pathToFileURL(join(REPO_ROOT, 'dist', 'lib', file)).href;
  const script = `
    ${prelude}
    const { trackOpenLines } = await import(${JSON.stringify(built('runtime/open-lines.js'))});
    const lines = trackOpenLines();
    ${body}
    lines.close();
    process.stdout.write('END\\n');
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return { stdout: result.stdout, stderr: result.stderr };
}

describe('trackOpenLines', () => {
  it('ends the line a task left open on stdout, even after a whole line on stderr, where they are two pipes', () => {
    const { stdout, stderr } = underTracking("process.stdout.write('50%'); console.error('a warning');");
    expect(stdout).toBe('50%\nEND\n');
    expect(stderr).toBe('a warning\n');
  });

  it('ends each open line, written through the streams or around them', () => {
    const { stdout, stderr } = underTracking(
      "const { writeSync } = await import('node:fs'); process.stdout.write('out'); writeSync(2, Buffer.from('err!'), 0, 3);",
    );
    expect(stdout).toBe('out\nEND\n');
    expect(stderr).toBe('err\n');
  });

  it('adds nothing to output that ends its lines', () => {
    const { stdout, stderr } = underTracking("console.log('whole'); console.error('whole too');");
    expect(stdout).toBe('whole\nEND\n');
    expect(stderr).toBe('whole too\n');
  });

  it('takes stdout and stderr as one stream where stderr is written to stdout: the last write says where its line is', () => {
    const mark = pathToFileURL(join(REPO_ROOT, 'dist', 'lib', 'core', 'one-log-mark.js')).href;
    const { stdout } = underTracking(
      "process.stdout.write('50%'); process.stderr.write('a warning\\n');",
      `const { markStderrToStdout } = await import(${JSON.stringify(mark)});
       process.stderr.write = process.stdout.write.bind(process.stdout);
       markStderrToStdout(process.stderr);`,
    );
    expect(stdout).toBe('50%a warning\nEND\n');
  });
});
