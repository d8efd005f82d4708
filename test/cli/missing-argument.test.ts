import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * A command given without the argument it needs names the command that
 * lists what it takes, on the stage the command line names, before anything
 * is read.
 */
describe('a command without the argument it needs', () => {
  it('invoke: 64, and where to see the tasks, written as the user runs cnf-admin', async () => {
    const io = memoryIo(tempDir('cnf-no-project'), { npm_command: 'exec' });
    expect(await cli(['invoke'], io)).toBe(64);
    expect(io.stderrText()).toBe(
      "cnf-admin: missing required argument 'task'\n(add --help for usage)\nSee the tasks with: npx cnf-admin tasks\n",
    );
  });

  it('invoke --stage prod: the tasks of that stage', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['invoke', '--stage', 'prod'], io)).toBe(64);
    expect(io.stderrText()).toContain('See the tasks with: cnf-admin tasks --stage prod\n');
  });

  it.each([
    [['run'], 'See the scripts (the files under scripts/) with: cnf-admin tasks'],
    [['config', 'get'], 'See the keys with: cnf-admin config list'],
    [['config', 'rollback', '--stage=staging'], 'See the versions with: cnf-admin config history --stage staging'],
    [['runs', 'show'], 'See the runs with: cnf-admin runs'],
    [['stop'], 'See the runs with: cnf-admin runs'],
  ])('%j: %s', async (argv, hint) => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(argv, io)).toBe(64);
    expect(io.stderrText()).toContain(`${hint}\n`);
  });

  it('a command whose argument lists nothing says no more than commander', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['config', 'set'], io)).toBe(64);
    expect(io.stderrText()).toBe("cnf-admin: missing required argument 'key'\n(add --help for usage)\n");
  });
});
