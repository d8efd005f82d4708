/**
 * The README's "Writing a task" steps, as written, in a project that has a
 * live release already: write the task, register it, invoke it. Locally the
 * checkout is the release, so the invoke deploys the changed tree first.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

/** The README's code block that starts with the given first line. */
function readmeBlock(firstLine: string): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = readme.split('```').find((part) => part.split('\n')[1] === firstLine);
  if (block === undefined) throw new Error(`README.md has no code block starting with ${firstLine}`);
  return block.slice(block.indexOf('\n') + 1);
}

it('a task written and registered as the README says runs at the next invoke, which deploys it first in one line', async () => {
  writeFileSync(join(project.dir, 'lambda', 'tasks', 'orders-count.ts'), readmeBlock('// lambda/tasks/orders-count.ts'));
  const registration = readmeBlock('// lambda/admin.ts')
    .split('\n')
    .find((line) => line.includes("'orders:count'"));
  const admin = join(project.dir, 'lambda', 'admin.ts');
  writeFileSync(admin, readFileSync(admin, 'utf8').replace('  tasks: {\n', `  tasks: {\n${registration}\n`));
  const command = readmeBlock('npx cnf-admin invoke orders:count --stage local -- --days 7').trim().split(' ');
  expect(command.slice(0, 2)).toEqual(['npx', 'cnf-admin']);
  const result = await project.cli(command.slice(2));
  expect(result.stderr).toMatch(
    /^· Deployed the working tree \(changed: lambda\/tasks\/orders-count\.ts \(new\), lambda\/admin\.ts\): release r-[0-9a-f]{12} is live/m,
  );
  expect(`${result.stdout}${result.stderr}`).toMatch(/Counting.*days=7/);
  expect(result.code).toBe(0);
});

it('says which files the next deploy found removed: the task taken out again', async () => {
  const admin = join(project.dir, 'lambda', 'admin.ts');
  writeFileSync(
    admin,
    readFileSync(admin, 'utf8')
      .split('\n')
      .filter((line) => !line.includes("'orders:count'"))
      .join('\n'),
  );
  rmSync(join(project.dir, 'lambda', 'tasks', 'orders-count.ts'));
  const result = await project.cli(['invoke', 'noop']);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(
    /^· Deployed the working tree \(changed: lambda\/admin\.ts, lambda\/tasks\/orders-count\.ts \(removed\)\)/m,
  );
});

it('a deploy writes the release once, straight into place: a task that fails to load leaves no release and nothing half made', async () => {
  const releasesDir = join(project.dir, '.cnf', 'local', 'releases');
  const before = readdirSync(releasesDir).sort();
  const live = join(project.dir, 'lambda', 'tasks', 'noop.ts');
  const source = readFileSync(live, 'utf8');
  writeFileSync(live, `${source}\nthrow new Error('noop cannot load');\n`);
  try {
    const failed = await project.cli(['deploy']);
    expect(failed.code).toBe(65);
    expect(failed.stderr).toContain('noop cannot load');
    expect(failed.stderr).toMatch(/\(at lambda\/tasks\/noop\.ts:\d+:\d+\)/);
    // Nothing stored, and no staging directory left beside the releases.
    expect(readdirSync(releasesDir).sort()).toEqual(before);
  } finally {
    writeFileSync(live, source);
  }
  // The tree as it was builds the live release again: stored already, so nothing new is written, and nothing is left.
  const again = await project.cli(['deploy', '--json']);
  expect(again.code, again.stderr).toBe(0);
  expect(readdirSync(releasesDir).sort()).toEqual(before);
  // A new release is stored whole: its files and manifest in place, as a run checks them.
  writeFileSync(live, `${source}\nexport const edited = 1;\n`);
  try {
    const deployed = await project.cli(['deploy', '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    const release = (JSON.parse(deployed.stdout) as { release: string }).release;
    expect(readdirSync(releasesDir).sort()).toEqual([...before, release].sort());
    expect(readdirSync(join(releasesDir, release, 'bundle'))).toEqual(expect.arrayContaining(['admin.mjs', 'web.mjs', 'manifest.json']));
    const ran = await project.cli(['status']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).not.toMatch(/damaged/i);
  } finally {
    writeFileSync(live, source);
  }
});
