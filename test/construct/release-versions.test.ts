import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, type Bundle } from '../../lib/bundle/build-bundle.js';
import { loadProject } from '../../lib/core/project.js';
import { releaseDescription } from '../../lib/core/stage-record.js';
import { AdminApp, type AdminAppProps } from '../../lib/construct/admin-app.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { logicalIdOf, newStack, removeOutdirs } from './support/admin-app-stack.js';

/** What decides whether CloudFormation publishes a new version: each version's logical id, and the release it names. */
function versionsOf(bundle: Bundle, props: Partial<AdminAppProps> = {}) {
  const stack = newStack();
  const app = new AdminApp(stack, 'App', { app: 'notes', stage: 'prod', bundle, ...props });
  const template = Template.fromStack(stack);
  const description = (version: string) => template.toJSON().Resources[version].Properties.Description as string;
  const web = logicalIdOf(app.webVersion);
  const admin = logicalIdOf(app.adminVersion);
  return {
    web,
    admin,
    webDescription: description(web),
    adminDescription: description(admin),
    code: template.toJSON().Resources[logicalIdOf(app.webFunction)].Properties.Code,
  };
}

let original: TestProject;
let changed: TestProject;
let before: Bundle;
let after: Bundle;

beforeAll(async () => {
  // Given two copies of the project, one with a change to a task's code only
  original = createTestProject('notes');
  changed = createTestProject('notes');
  const task = join(changed.dir, 'lambda', 'tasks', 'seed.ts');
  writeFileSync(
    task,
    readFileSync(task, 'utf8').replace('log.info(`Inserted ${args.count} sample note(s)`)', 'log.info(`Seeded ${args.count} note(s)`)'),
  );
  [before, after] = await Promise.all([buildBundle(loadProject(original.dir)), buildBundle(loadProject(changed.dir))]);
});

afterAll(async () => {
  await original.cleanup();
  await changed.cleanup();
  removeOutdirs();
});

describe('releases and versions', () => {
  it("changes the release id, and publishes new versions of both functions, when a task's code changes", () => {
    expect(after.release).not.toBe(before.release);
    const old = versionsOf(before);
    const next = versionsOf(after);
    expect(next.web).not.toBe(old.web);
    expect(next.admin).not.toBe(old.admin);
    expect([next.webDescription, next.adminDescription]).toEqual([releaseDescription(after.release), releaseDescription(after.release)]);
    expect([old.webDescription, old.adminDescription]).toEqual([releaseDescription(before.release), releaseDescription(before.release)]);
  });

  it('keeps the release id and the versions when nothing changed', async () => {
    const again = await buildBundle(loadProject(original.dir));
    expect(again.release).toBe(before.release);
    expect(versionsOf(again)).toEqual(versionsOf(before));
  });

  it('keeps the release id, the asset and the admin version when only a web setting changes; web gets a version with the new memory', () => {
    const old = versionsOf(before);
    const bigger = versionsOf(before, { web: { memorySize: 2048 } });
    expect(bigger.code).toEqual(old.code);
    expect(bigger.webDescription).toBe(releaseDescription(before.release));
    expect(bigger.admin).toBe(old.admin);
    // A version snapshots its memory: without a new one, web:live would keep the old setting.
    expect(bigger.web).not.toBe(old.web);
  });
});
