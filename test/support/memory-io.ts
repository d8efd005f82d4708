import { PassThrough, Readable, Writable } from 'node:stream';
import type { CliIo } from '../../lib/cli/io.js';

/** A CliIo that keeps what a command writes, for in-process command tests. */
interface MemoryIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

function collector(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

/**
 * An in-memory terminal-less CliIo in `cwd`, with `env` over a clean
 * environment (no colours).
 */
function memoryIo(cwd: string, env: NodeJS.ProcessEnv = {}, input = ''): MemoryIo {
  const stdout = collector();
  const stderr = collector();
  const stdin = input === '' ? new PassThrough().end() : Readable.from([input]);
  return { stdout, stderr, stdin, cwd, env: { NO_COLOR: '1', ...env }, stdoutText: stdout.text, stderrText: stderr.text };
}

export { memoryIo };
export type { MemoryIo };
