import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * invoke, run and db psql hand the words after `--` on (to the task, the
 * script, psql): a flag they do not know, given before `--`, is most likely
 * one of those, and the user hears where it goes, before anything is read.
 */
describe('an unknown flag of a command that hands the words after -- on', () => {
  it('run scripts/x.ts --count 3: 64, and script args go after --, written as the user runs cnf-admin', async () => {
    const io = memoryIo(tempDir('cnf-no-project'), { npm_command: 'exec' });
    expect(await cli(['run', 'scripts/x.ts', '--count', '3'], io)).toBe(64);
    expect(io.stderrText()).toBe(
      "cnf-admin: unknown option '--count'\n(add --help for usage)\n" +
        'Script args go after --, e.g. npx cnf-admin run scripts/x.ts -- --<arg> <value>\n',
    );
  });

  it("db psql -c 'select 1': psql's flags go after --", async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['db', 'psql', '-c', 'select 1'], io)).toBe(64);
    expect(io.stderrText()).toContain("psql's own flags go after --, e.g. cnf-admin db psql -- -c 'select version()'\n");
  });

  it("invoke names the task past its own flags' values, not a flag as the task", async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['invoke', '--stage', 'local', 'orders:count', '--days', '7'], io)).toBe(64);
    expect(io.stderrText()).toContain('Task args go after --, e.g. cnf-admin invoke orders:count -- --<arg> <value>\n');
  });

  it('says nothing of -- for a command that hands nothing on, or a command line that has a -- already', async () => {
    const status = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['status', '--days', '7'], status)).toBe(64);
    expect(status.stderrText()).not.toContain('go after --');
    const given = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['run', 'scripts/x.ts', '--count', '3', '--', '--n', '1'], given)).toBe(64);
    expect(given.stderrText()).not.toContain('go after --');
  });
});
