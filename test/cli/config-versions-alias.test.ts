import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/* docs/config-versions.md is about config versions: `config versions` is the word a reader types, and names `config history`. */
describe('config versions', () => {
  it('is config history: its help, and its flags after it', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['config', 'versions', '--help'], io)).toBe(0);
    expect(io.stdoutText()).toContain('the config versions, newest first');
    expect(io.stdoutText()).toContain('cnf-admin config history LOG_LEVEL');
  });

  it('outside a project, refuses as config history does, not as an unknown command', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['config', 'versions'], io)).toBe(64);
    expect(io.stderrText()).not.toContain("unknown command 'versions'");
  });
});
