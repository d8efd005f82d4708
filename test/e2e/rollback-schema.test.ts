/**
 * The schema rule of a rollback, with the example notes app on the local
 * stage and its embedded PostgreSQL, through the real binary: the release
 * phase (`migrate`) of an older release refuses a database that holds
 * migrations it does not ship, so nothing moves; `--force` overrides.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let older: string;
let newer: string;

async function liveRelease(): Promise<string> {
  const status = JSON.parse((await project.cli(['status', '--json'])).stdout) as { aliases: { name: string; web: { release: string } }[] };
  return status.aliases.find((pair) => pair.name === 'live')?.web.release ?? '';
}

beforeAll(async () => {
  project = createTestProject('notes');
  expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
  older = await liveRelease();
  writeFileSync(join(project.dir, 'lambda', 'migrations', '0003_add_notes_tag.sql'), 'ALTER TABLE notes ADD COLUMN tag text;\n');
  expect((await project.cli(['deploy'])).code).toBe(0);
  newer = await liveRelease();
  expect(newer).not.toBe(older);
  const migrated = await project.cli(['invoke', 'migrate']);
  expect(migrated.stdout).toContain('Applied 0003_add_notes_tag');
});

afterAll(async () => {
  await project.cleanup();
});

describe('a rollback across a migration', () => {
  it('the plan names the release phase', async () => {
    const dry = await project.cli(['rollback', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`release phase: migrate runs on ${older} first; if it fails, nothing moves`);
  });

  it('refuses with a clear message when the database holds migrations the release does not ship, and nothing moves', async () => {
    const refused = await project.cli(['rollback', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('The database holds 1 migration(s) that this release does not ship: 0003_add_notes_tag.');
    expect(refused.stdout).toContain('expand/contract');
    expect(refused.stderr).toContain(`The release phase (migrate) of ${older} exited 1; nothing moved.`);
    expect(await liveRelease()).toBe(newer);
  });

  it('--force runs the release phase anyway, says so, and moves', async () => {
    const forced = await project.cli(['rollback', '--yes', '--force', '--reason', 'tag column is additive']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('--force: the database holds migrations this release does not ship: 0003_add_notes_tag');
    expect(await liveRelease()).toBe(older);
  });
});
