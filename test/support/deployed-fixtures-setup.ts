/**
 * Global setup of the `e2e` project (vitest.config.ts): deploys a copy of
 * each fixture (the tasks app, the example notes app) once per run, at
 * once, and provides each one's local stage (`deployedTasks`,
 * `deployedNotes`). `createTestProject` copies that stage, so that each
 * file's project starts as its first `cnf-admin deploy` leaves it: the same
 * release, built once per run. Without it each file built it again
 * (esbuild, and a Node process that reads the task catalog): some 40 builds
 * of the tasks app per run, and some 20 of the notes app.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject as VitestProject } from 'vitest/node';
import { createTestProject, type Fixture } from './test-project.js';

/** The key each fixture's deployed stage is provided as. */
const PROVIDED = { tasks: 'deployedTasks', notes: 'deployedNotes' } as const satisfies Record<Fixture, string>;

/** Deploys each fixture, provides its `.cnf/`, and deletes the copies when the run ends. */
export default async function setup(project: VitestProject): Promise<() => Promise<void>> {
  const fixtures = Object.keys(PROVIDED) as Fixture[];
  const templates = fixtures.map((fixture) => createTestProject(fixture, { deployed: false }));
  const removeTemplates = async (): Promise<void> => {
    await Promise.all(templates.map((template) => template.cleanup()));
  };
  const deployed = await Promise.all(templates.map((template) => template.cli(['deploy'])));
  for (const [index, fixture] of fixtures.entries()) {
    const result = deployed[index]!;
    const stage = join(templates[index]!.dir, '.cnf');
    if (result.code !== 0) {
      await removeTemplates();
      throw new Error(`cnf-admin deploy of the ${fixture} fixture failed (${result.code}): ${result.stderr}`);
    }
    // The notes app's deploy picks its embedded database's port: each copy picks its own at its first start instead
    // (until then, its parameter set's managed DATABASE_URL still names the template's port, which no server serves).
    rmSync(join(stage, 'local', 'database'), { recursive: true, force: true });
    project.provide(PROVIDED[fixture], stage);
  }
  return removeTemplates;
}
