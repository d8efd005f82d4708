import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * A release typed as a word of its own, where the command takes it through
 * a flag, is refused as commander refuses any word too many (64, nothing
 * read), and the hint is the command line with the flag in place.
 */
describe('a release given without its flag', () => {
  it('rollback r-…: 64, and the line with --to, as the user typed the rest', async () => {
    const io = memoryIo(tempDir('cnf-no-project'), { npm_command: 'exec' });
    expect(await cli(['rollback', 'r-0123456789ab', '--yes', '--stage', 'prod'], io)).toBe(64);
    expect(io.stderrText()).toBe(
      "cnf-admin: too many arguments for 'rollback'. Expected 0 arguments but got 1.\n(add --help for usage)\n" +
        'A release goes after --to: npx cnf-admin rollback --to r-0123456789ab --yes --stage prod\n',
    );
  });

  it('writes the line as a shell takes it: a word with spaces quoted', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['rollback', 'r-0123456789ab', '--reason', "500s after Bob's deploy"], io)).toBe(64);
    expect(io.stderrText()).toContain(
      `A release goes after --to: cnf-admin rollback --to r-0123456789ab --reason '500s after Bob'\\''s deploy'\n`,
    );
  });

  it('a release given with its flag already leaves the word too many as it is', async () => {
    for (const args of [
      ['rollback', '--to', 'r-0123456789ab', 'r-ba9876543210'],
      ['rollback', '--to=r-0123456789ab', 'r-ba9876543210'],
    ]) {
      const io = memoryIo(tempDir('cnf-no-project'));
      expect(await cli(args, io)).toBe(64);
      expect(io.stderrText()).toContain('too many arguments');
      expect(io.stderrText()).not.toContain('A release goes after');
    }
  });

  it('a word that is the value of another flag is left to it, and a command that takes no release gets no such line', async () => {
    const runId = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['rollback', 'extra', '--run-id', 'r-0123456789ab'], runId)).toBe(64);
    expect(runId.stderrText()).not.toContain('A release goes after');
    const status = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['status', 'r-0123456789ab'], status)).toBe(64);
    expect(status.stderrText()).toContain('too many arguments');
    expect(status.stderrText()).not.toContain('A release goes after');
  });
});
