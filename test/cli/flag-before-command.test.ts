import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/* A command's flags follow its name; one written first is refused, with the line that puts it after. */
describe('a command flag before the command', () => {
  it('--stage local invoke hello: 64, and the command with the flag after its name, as the user runs cnf-admin', async () => {
    const io = memoryIo(tempDir('cnf-no-project'), { npm_command: 'exec' });
    expect(await cli(['--stage', 'local', 'invoke', 'hello'], io)).toBe(64);
    expect(io.stderrText()).toBe(
      "cnf-admin: unknown option '--stage'\n(add --help for usage)\n" +
        '--stage is a flag of the command: give it after the command, e.g. npx cnf-admin invoke --stage local …\n',
    );
  });

  it("names a group's command with it, and the flag alone when no command follows", async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['-s', 'prod', 'config', 'history'], io)).toBe(64);
    expect(io.stderrText()).toContain('e.g. cnf-admin config history -s prod\n');
    const alone = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['--json'], alone)).toBe(64);
    expect(alone.stderrText()).toContain(
      '--json is a flag of a command: give it after the command, e.g. cnf-admin invoke <task> --json …\n',
    );
  });

  it('shows a free-text value (--args, --reason, -e) as its placeholder, and finds the command past a flag value that names one', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['--args', '{"apiToken":"Typed-Secret-51"}', 'invoke', 'hello'], io)).toBe(64);
    expect(io.stderrText()).toContain('e.g. cnf-admin invoke --args <json> …\n');
    expect(io.stderrText()).not.toContain('Typed-Secret-51');
    const valued = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['--reason=Typed-Secret-52', '--stage', 'status', 'rollback'], valued)).toBe(64);
    expect(valued.stderrText()).toContain('e.g. cnf-admin rollback --reason=<text> --stage status\n');
    expect(valued.stderrText()).not.toContain('Typed-Secret-52');
  });

  it('says nothing more of a flag no command has', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['--frob', 'runs'], io)).toBe(64);
    expect(io.stderrText()).toBe("cnf-admin: unknown option '--frob'\n(add --help for usage)\n");
  });
});
