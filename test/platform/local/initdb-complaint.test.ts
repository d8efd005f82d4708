import { describe, expect, it } from 'vitest';
import { initdbComplaint } from '../../../lib/platform/local/initdb-complaint.js';

/* What initdb printed on a disk that filled up while it made the cluster. */
const FULL_DISK = `fixing permissions on existing directory /d/postgres.init ... ok
creating subdirectories ... ok
creating configuration files ... ok
running bootstrap script ... 2026-12-06 04:42:09.155 UTC [26945] FATAL:  could not write to file "pg_wal/xlogtemp.26945": No space left on device
child process exited with exit code 1
initdb: removing contents of data directory "/d/postgres.init"
`;

describe('initdbComplaint', () => {
  it("names the bootstrap server's FATAL, not initdb's clean-up after it", () => {
    expect(initdbComplaint(FULL_DISK)).toBe('FATAL:  could not write to file "pg_wal/xlogtemp.26945": No space left on device');
  });

  it("names initdb's own error line", () => {
    const output = 'initdb: error: directory "/d" exists but is not empty\ninitdb: hint: Remove it.\n';
    expect(initdbComplaint(output)).toBe('initdb: error: directory "/d" exists but is not empty');
  });

  it('is the last line where no line says what went wrong, and says so of no output', () => {
    expect(initdbComplaint('one\ntwo\n\n')).toBe('two');
    expect(initdbComplaint('')).toBe('no output');
  });
});
