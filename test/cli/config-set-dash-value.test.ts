import { describe, expect, it } from 'vitest';
import { cli } from '../../lib/cli/main.js';
import { memoryIo } from '../support/memory-io.js';
import { tempDir } from '../support/temp-dir.js';

/* A config value that starts with "-" goes after --; the line shown keeps --secure only where it was given. */
describe('config set with a value that starts with "-"', () => {
  it('plain: the line to use has no --secure, which would make the value a secret', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['config', 'set', 'LOG_FLAGS', '-debug'], io)).toBe(64);
    expect(io.stderrText()).toContain('e.g. cnf-admin config set LOG_FLAGS -- <value>\n');
    expect(io.stderrText()).not.toContain('-debug');
  });

  it('secure: the line keeps --secure', async () => {
    const io = memoryIo(tempDir('cnf-no-project'));
    expect(await cli(['config', 'set', 'TOKEN', '--secure', '-xsecret'], io)).toBe(64);
    expect(io.stderrText()).toContain('e.g. cnf-admin config set TOKEN --secure -- <value>\n');
    expect(io.stderrText()).not.toContain('xsecret');
  });
});
