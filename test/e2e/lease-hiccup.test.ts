/**
 * A lock's lease survives a hiccup, through the real binary: while a locked
 * task runs, its lock directory cannot be written for longer than one
 * heartbeat (10 s on the local stage), so a renewal fails; the lease has
 * not expired (30 s), so the run goes on and ends with its own exit code,
 * not 75.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/core/run.js';
import { finished, spawnCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

/* The local stage's heartbeat (lib/core/files/file-lock.ts): a freeze longer than this makes a renewal fail. */
const HEARTBEAT_MS = 10_000;

let project: TestProject;
let frozen: string | undefined;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  if (frozen !== undefined) execFileSync('chattr', ['-i', frozen]);
  await project.cleanup();
});

describe('a locked run whose lease renewal fails once', () => {
  it('goes on to its end (exit 0), and the ledger says so', async () => {
    // given a locked task holding its lock for 14 s
    const child = spawnCli(['invoke', 'locked', '--json', '--', '--ms', '14000'], { cwd: project.dir });
    const done = finished(child);
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        seen += chunk;
        if (seen.includes('holding the lock')) resolve();
      });
      child.once('exit', () => reject(new Error('the run ended before it took the lock')));
    });
    // when its lock directory cannot be written (immutable: even root cannot) for longer than a heartbeat
    const lockDir = join(project.dir, '.cnf', 'local', 'locks', 'locked');
    execFileSync('chattr', ['+i', lockDir]);
    frozen = lockDir;
    await sleep(HEARTBEAT_MS + 1_500);
    execFileSync('chattr', ['-i', lockDir]);
    frozen = undefined;
    // then the run was not stopped: it ends with the task's own exit code
    const result = await done;
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as RunResult;
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.error).toBeUndefined();
    expect(JSON.parse((await project.cli(['runs', 'show', run.runId, '--json'])).stdout)).toMatchObject({ exitCode: 0 });
  });
});
