import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * A group that also runs on its own (`runs`, which lists runs) takes no
 * argument of its own: a word after it is a command it does not have, and
 * the user hears which commands it has, before anything is read.
 */
describe('a word after a group that takes none', () => {
  it('runs frob: 64, naming the word and the command runs has', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['runs', 'frob'], io)).toBe(64);
    expect(io.stderrText()).toBe(
      'cnf-admin: runs takes no argument, and has no command "frob".\nIts command: cnf-admin runs show <runId>\n',
    );
    expect(io.stdoutText()).toBe('');
  });

  it('runs shw: a did-you-mean, written as the user runs cnf-admin', async () => {
    const io = memoryIo(tempDir('cnf-no-project'), { npm_command: 'exec' });
    expect(await cli(['runs', 'shw', '20261124'], io)).toBe(64);
    expect(io.stderrText()).toContain('has no command "shw". Did you mean runs show?');
    expect(io.stderrText()).toContain('Its command: npx cnf-admin runs show <runId>');
  });

  it('--json: the error as JSON on stdout', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['runs', 'frob', '--json'], io)).toBe(64);
    expect(JSON.parse(io.stdoutText())).toEqual({
      error: { name: 'UsageError', message: 'runs takes no argument, and has no command "frob".' },
      exitCode: 64,
    });
  });
});

/* A group with no command of its own (`config`, `db`): a word it has no command for gets its commands listed. */
describe('a command a group does not have', () => {
  it('config values: 64, and the commands config has, history among them, as the user runs cnf-admin', async () => {
    const io = memoryIo(tempDir('cnf-no-project'), { npm_command: 'exec' });
    expect(await cli(['config', 'values'], io)).toBe(64);
    expect(io.stderrText()).toContain(
      "cnf-admin: unknown command 'values'\n(add --help for usage)\nIts commands: npx cnf-admin config list, ",
    );
    expect(io.stderrText()).toContain('npx cnf-admin config history [key], ');
  });

  it('a word that is no command at all gets no list', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['invok'], io)).toBe(64);
    expect(io.stderrText()).not.toContain('Its commands');
  });
});

/* The top-level help sums up each group by the commands it has. */
describe("the top-level help's summary of a group", () => {
  it('names every command of db, psql among them', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['--help'], io)).toBe(0);
    // Its summary, wrapped over the lines below its name until the next command's.
    const lines = io.stdoutText().split('\n');
    const first = lines.findIndex((text) => /^ {2}db\b/.test(text));
    const next = lines.findIndex((text, index) => index > first && /^ {2}\S/.test(text));
    const summary = lines.slice(first, next).join(' ');
    for (const command of ['status', 'URL', 'start', 'stop', 'reset', 'psql']) expect(summary).toContain(command);
  });
});
