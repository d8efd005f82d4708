import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseFiles } from '../../../lib/platform/local/database-state.js';
import { stopEmbeddedDatabase } from '../../../lib/platform/local/embedded-database.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { isAlive } from '../../../lib/platform/local/postmaster-pid.js';
import { tempDir } from '../../support/temp-dir.js';

describe('stopEmbeddedDatabase', () => {
  it.runIf(process.platform === 'linux')(
    "signals no process that took over the pid of a server's watcher since (a state file left by a crash, read after a reboot)",
    async () => {
      // given: the state file of a server that died with the machine, whose watcher's pid a process of the user's took since
      const paths = localPaths({ stateDir: join(tempDir('cnf-db-stop'), '.cnf') });
      mkdirSync(join(paths.database, 'postgres'), { recursive: true });
      const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
      const pid = bystander.pid ?? 0;
      const state = {
        pid,
        instanceId: randomUUID(),
        postgresPid: pid,
        port: 54321,
        dataDir: join(realpathSync(paths.database), 'postgres'),
        version: '18.4',
        startedAt: new Date().toISOString(),
      };
      writeFileSync(databaseFiles(paths).state, JSON.stringify(state));
      try {
        // when
        const stopped = await stopEmbeddedDatabase(paths);

        // then: nothing of this project ran, and the bystander lives on, never signalled
        expect(stopped).toBe(false);
        expect(bystander.signalCode).toBeNull();
        expect(isAlive(pid)).toBe(true);
      } finally {
        bystander.kill('SIGKILL');
      }
    },
  );
});
