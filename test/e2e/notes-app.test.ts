/**
 * The example notes app on the local stage, through the real binary: SQL
 * migrations on the embedded PostgreSQL, its tasks, and its web API
 * served with the same config and database.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, spawnCli, startWatched } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(() => {
  // As the README's first command finds a fresh checkout: no release yet.
  project = createTestProject('notes', { deployed: false });
});

afterAll(async () => {
  await project.cleanup();
});

describe('the notes app on the local stage', () => {
  it('builds a release, and applies the migrations to the embedded PostgreSQL, showing each as it happens', async () => {
    const result = await project.cli(['invoke', 'migrate']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('No local release yet: deploying the working tree first');
    expect(result.stderr).toContain('Starting the embedded PostgreSQL on 127.0.0.1:');
    expect(result.stdout).toMatch(/2 pending migration\(s\): 0001_create_notes, 0002_index_notes_created_at/);
    expect(result.stdout).toMatch(/Applying 0001_create_notes[\s\S]*Applied 0001_create_notes[\s\S]*Applying 0002_index_notes_created_at/);
    expect(result.stdout).toContain('Done: 2 migration(s) applied');
  });

  it('reports that nothing is pending the second time', async () => {
    const result = await project.cli(['invoke', 'migrate', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('No pending migrations: the database is up to date (2 applied)');
    expect(JSON.parse(result.stdout)).toMatchObject({ task: 'migrate', exitCode: 0, output: { applied: [], total: 2, unknown: [] } });
  });

  it('refuses a database that a newer release migrated, unless --force', async () => {
    const url = (await project.cli(['db', 'url'])).stdout.trim();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("INSERT INTO schema_migrations (name) VALUES ('0099_from_a_newer_release')");
      const refused = await project.cli(['invoke', 'migrate']);
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain(
        'The database holds 1 migration(s) that this release does not ship: 0099_from_a_newer_release.',
      );
      // the hint gives the force arg in the form invoke takes it (a bare --force is refused as an unknown option)
      expect(refused.stdout + refused.stderr).toContain('cnf-admin invoke migrate -- --force');
      const forced = await project.cli(['invoke', 'migrate', '--json', '--', '--force']);
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({ output: { applied: [], total: 3, unknown: ['0099_from_a_newer_release'] } });
    } finally {
      await client.query("DELETE FROM schema_migrations WHERE name = '0099_from_a_newer_release'");
      await client.end();
    }
  });

  it('seeds notes and purges by age, with args as flags', async () => {
    expect((await project.cli(['invoke', 'seed', '--', '--count', '3'])).code).toBe(0);
    const purge = await project.cli(['invoke', 'notes:purge', '--json', '--', '--older-than-days', '30', '--dry-run']);
    expect(purge.code).toBe(0);
    expect(JSON.parse(purge.stdout)).toMatchObject({ output: { deleted: 0, wouldDelete: 0 } });
  });

  it('serves the web API on localhost with the same config and database', async () => {
    const server = spawnCli(['serve', '--port', '0'], { cwd: project.dir });
    let stderr = '';
    server.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match?.[1] !== undefined) {
          clearInterval(poll);
          resolve(match[1]);
        }
      }, 50);
    });
    try {
      const created = await fetch(`${url}/notes`, { method: 'POST', body: JSON.stringify({ title: 'From the test', body: 'hello' }) });
      expect(created.status).toBe(201);
      const listed = (await (await fetch(`${url}/notes`)).json()) as { notes: { title: string }[] };
      // the three seeded notes from the admin task, and the one just created
      expect(listed.notes.map((note) => note.title)).toContain('From the test');
      expect(listed.notes).toHaveLength(4);
      expect((await fetch(`${url}/notes`, { method: 'POST', body: '{"title": ""}' })).status).toBe(400);
      // an admin run while the server holds its connections
      expect((await project.cli(['invoke', 'notes:purge', '--', '--older-than-days', '1'])).code).toBe(0);
      expect(((await (await fetch(`${url}/notes`)).json()) as { notes: unknown[] }).notes).toHaveLength(4);
    } finally {
      server.kill('SIGINT');
    }
    const ended = await finished(server);
    expect(ended.code).toBe(0);
    expect(stderr).toMatch(/Serving web:live \(r-[0-9a-f]{12}\) at http:\/\/127\.0\.0\.1:\d+; Ctrl-C to stop\./);
    expect(ended.stdout).toMatch(/POST \/notes 201 \d+ ms/);
  });

  it("says where a migration failed: PostgreSQL's code and the line and column of its file, and applies none of it", async () => {
    const file = join(project.dir, 'lambda', 'migrations', '0099_broken.sql');
    writeFileSync(file, 'CREATE TABLE tags (id int);\nCREAT INDEX tags_id ON tags (id);\n');
    try {
      const failed = await project.cli(['invoke', 'migrate']);
      expect(failed.code).toBe(1);
      const output = failed.stdout + failed.stderr;
      expect(output).toContain('MigrationError: Migration 0099_broken failed: syntax error at or near "CREAT"');
      expect(output).not.toContain('Original error');
      expect(output).toContain('code: 42601');
      expect(output).toContain('position: 29 (line 2, column 1 of 0099_broken.sql)');
      // nothing of the migration was applied: its first statement left no table
      const url = (await project.cli(['db', 'url'])).stdout.trim();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        expect((await client.query("SELECT to_regclass('tags') AS tags")).rows).toEqual([{ tags: null }]);
      } finally {
        await client.end();
      }
      // a statement that cannot run in a transaction, as every migration does: its code, and what to do
      writeFileSync(file, 'CREATE INDEX CONCURRENTLY notes_title ON notes (title);\n');
      const outside = await project.cli(['invoke', 'migrate']);
      expect(outside.code).toBe(1);
      expect(outside.stdout + outside.stderr).toContain('code: 25001');
      expect(outside.stdout + outside.stderr).toContain('so 0099_broken.sql cannot hold this statement');
    } finally {
      rmSync(file);
    }
  });

  it('a stop during a migration cancels its statement: the migration rolls back, unrecorded, and the run is 130 at once', async () => {
    const file = join(project.dir, 'lambda', 'migrations', '0098_slow.sql');
    writeFileSync(file, 'CREATE TABLE slow_tags (id int);\nSELECT pg_sleep(600);\n');
    try {
      const run = startWatched(['invoke', 'migrate', '--run-id', 'stopped-migration'], { cwd: project.dir });
      await run.seen('Applying 0098_slow');
      expect((await project.cli(['stop', 'stopped-migration'])).code).toBe(0);
      const ended = await run.result;
      expect(ended.code).toBe(130);
      expect(ended.stdout + ended.stderr).toMatch(
        /Stopped 0098_slow: rolled back, not applied \(.*canceling statement due to user request\)/,
      );
      const url = (await project.cli(['db', 'url'])).stdout.trim();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        expect((await client.query("SELECT to_regclass('slow_tags') AS slow_tags")).rows).toEqual([{ slow_tags: null }]);
        expect((await client.query("SELECT name FROM schema_migrations WHERE name = '0098_slow'")).rows).toEqual([]);
      } finally {
        await client.end();
      }
    } finally {
      rmSync(file);
    }
  });

  it('a rollback to a release without a newer migration stops at its release phase, and names the way on: rollback --force', async () => {
    const older = (JSON.parse((await project.cli(['deploy', '--json'])).stdout) as { release: string }).release;
    const file = join(project.dir, 'lambda', 'migrations', '0097_add_note_tags.sql');
    writeFileSync(file, 'CREATE TABLE note_tags (note_id int, tag text);\n');
    try {
      expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
      // run through npx (npm sets npm_command): the command it names is written as the user ran it
      const refused = await project.cli(['rollback', '--to', older, '--yes'], { env: { npm_command: 'exec' } });
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain('UnknownMigrationsError');
      expect(refused.stderr).toContain(
        `roll back with --force, which passes force to migrate: npx cnf-admin rollback --to ${older} --force --stage local`,
      );
      const forced = await project.cli(['rollback', '--to', older, '--force', '--yes']);
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).not.toContain('--force, which passes force');
      // status --json writes its notes' commands as the human view does: the rollback's hold, and how it ends
      const { notes } = JSON.parse((await project.cli(['status', '--json'], { env: { npm_command: 'exec' } })).stdout) as {
        notes: string[];
      };
      expect(notes.join('\n')).toContain('until the next npx cnf-admin deploy --stage local');
    } finally {
      rmSync(file);
    }
  });

  it('backfills in batches with a pause between them, and leaves no listener behind: no MaxListenersExceededWarning past ten batches', async () => {
    expect((await project.cli(['invoke', 'seed', '--', '--count', '12'])).code).toBe(0);
    const backfill = await project.cli(['invoke', 'notes:backfill', '--json', '--', '--batch-size', '1', '--pause-ms', '1']);
    expect(backfill.code, backfill.stderr).toBe(0);
    expect(JSON.parse(backfill.stdout)).toMatchObject({ output: { complete: true, batches: expect.any(Number) } });
    expect((JSON.parse(backfill.stdout) as { output: { batches: number } }).output.batches).toBeGreaterThan(11);
    expect(`${backfill.stdout}${backfill.stderr}`).not.toContain('MaxListenersExceededWarning');
  });
});
