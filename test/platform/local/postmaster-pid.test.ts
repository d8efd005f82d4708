import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPostmasterAlive, readPostmasterLock } from '../../../lib/platform/local/postmaster-pid.js';
import { tempDir } from '../../support/temp-dir.js';

/** A data directory whose postmaster.pid holds `lines`. */
function dataDirWithLock(lines: readonly string[]): string {
  const dir = tempDir('cnf-postmaster-pid');
  writeFileSync(join(dir, 'postmaster.pid'), `${lines.join('\n')}\n`);
  return dir;
}

const STARTED = ['4242', '/data/pg', '1764770000', '54329', '', '127.0.0.1', '  1234567     98304'];

describe('readPostmasterLock', () => {
  it('reads the pid, the data directory, the port and the status PostgreSQL wrote', async () => {
    const dir = dataDirWithLock([...STARTED, 'ready   ']);
    expect(await readPostmasterLock(dir)).toEqual({ pid: 4242, dataDir: '/data/pg', port: 54329, status: 'ready' });
  });

  it('says no status while PostgreSQL has written none yet', async () => {
    expect(await readPostmasterLock(dataDirWithLock(STARTED))).toEqual({ pid: 4242, dataDir: '/data/pg', port: 54329 });
  });

  it('is undefined when there is no lock file, or one PostgreSQL did not write', async () => {
    expect(await readPostmasterLock(tempDir('cnf-postmaster-pid'))).toBeUndefined();
    expect(await readPostmasterLock(dataDirWithLock(['not a pid', '/data/pg']))).toBeUndefined();
  });
});

describe('isPostmasterAlive', () => {
  it('is false for a live pid that is not a postmaster of the data directory (a pid taken over)', () => {
    expect(isPostmasterAlive({ pid: process.pid, dataDir: '/data/pg', port: 5432 })).toBe(false);
    // A process whose command line names the directory counts as its postmaster: this one's names its program.
    const program = readFileSync('/proc/self/cmdline', 'utf8').split('\0')[0] ?? '';
    expect(isPostmasterAlive({ pid: process.pid, dataDir: program, port: 5432 })).toBe(true);
  });
});
