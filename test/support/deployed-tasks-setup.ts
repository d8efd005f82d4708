/**
 * Global setup of the `e2e` project (vitest.config.ts): deploys a copy of the
 * tasks fixture once per run and provides its local stage as `deployedTasks`.
 * `createTestProject('tasks')` copies that stage, so that each file's project
 * starts as its first `cnf-admin deploy` leaves it: the same release, built
 * once per run. Without it each file built it again (esbuild, and a Node
 * process that reads the task catalog): some 40 builds per run.
 */
import { join } from 'node:path';
import type { TestProject as VitestProject } from 'vitest/node';
import { createTestProject } from './test-project.js';

/** Deploys the tasks fixture, provides its `.cnf/`, and deletes the copy when the run ends. */
export default async function setup(project: VitestProject): Promise<() => Promise<void>> {
  const template = createTestProject('tasks', { deployed: false });
  const deployed = await template.cli(['deploy']);
  if (deployed.code !== 0) throw new Error(`cnf-admin deploy of the tasks fixture failed (${deployed.code}): ${deployed.stderr}`);
  project.provide('deployedTasks', join(template.dir, '.cnf'));
  return () => template.cleanup();
}
