/**
 * As root, whether PostgreSQL runs in a user namespace is decided once per
 * boot and kept beside the database (postgres-binaries.ts): a start of the
 * database reads it instead of spawning the probe again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const spawnSync = vi.hoisted(() => vi.fn());
vi.mock('node:child_process', async (original) => ({ ...(await original<typeof import('node:child_process')>()), spawnSync }));

const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
let dir: string;
let file: string;

/** The module afresh: its decision is made once per process. */
async function freshModule(): Promise<typeof import('../../../lib/platform/local/postgres-binaries.js')> {
  vi.resetModules();
  return import('../../../lib/platform/local/postgres-binaries.js');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnf-pg-user-'));
  file = join(dir, 'postgres-user.json');
  spawnSync.mockReset();
  vi.spyOn(process, 'getuid').mockReturnValue(0);
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('the user PostgreSQL runs as, when cnf-admin runs as root', () => {
  it('probes for a user namespace once, keeps the answer for this boot, and reads it on the next start without a probe', async () => {
    spawnSync.mockReturnValue({ status: 0 });
    const first = await freshModule();
    first.rememberPostgresUser(file, {});
    expect(first.postgresUser({})).toEqual({ kind: 'namespace', uid: 0 });
    expect(spawnSync).toHaveBeenCalledTimes(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ boot, user: { kind: 'namespace', uid: 0 } });

    const next = await freshModule();
    next.rememberPostgresUser(file, {});
    expect(next.postgresUser({})).toEqual({ kind: 'namespace', uid: 0 });
    expect(spawnSync).toHaveBeenCalledTimes(1);
  });

  it('decides anew when what was kept is from another boot, or damaged', async () => {
    spawnSync.mockImplementation((command: string) => (command === 'id' ? { status: 0, stdout: '65534\n' } : { status: 1 }));
    for (const kept of [
      JSON.stringify({ boot: 'another-boot', user: { kind: 'namespace', uid: 0 } }),
      '{"boot":',
      JSON.stringify({ boot, user: { kind: 'root' } }),
    ]) {
      writeFileSync(file, kept);
      const module = await freshModule();
      module.rememberPostgresUser(file, {});
      expect(module.postgresUser({})).toEqual({ kind: 'unprivileged', uid: 65534, gid: 65534 });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ boot, user: { kind: 'unprivileged', uid: 65534, gid: 65534 } });
    }
    expect(spawnSync.mock.calls.filter(([command]) => command === 'unshare')).toHaveLength(3);
  });

  it('keeps nothing when the operator chose nobody, so that the choice is never taken for the machine', async () => {
    spawnSync.mockReturnValue({ status: 0, stdout: '65534\n' });
    const module = await freshModule();
    module.rememberPostgresUser(file, { CNF_LOCAL_DB_AS_ROOT: 'nobody' });
    expect(module.postgresUser({ CNF_LOCAL_DB_AS_ROOT: 'nobody' })).toMatchObject({ kind: 'unprivileged' });
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });
});
