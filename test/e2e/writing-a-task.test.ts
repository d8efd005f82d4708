/**
 * The README's "Writing a task" steps, as written, in a project that has a
 * live release already: write the task, register it, invoke it. Locally the
 * checkout is the release, so the invoke deploys the changed tree first.
 */
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finished, REPO_ROOT, spawnCli } from '../support/cli.js';
import { holdTaskAtImport } from '../support/task-held-at-import.js';
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

it('reads the task catalog from a copy of its own: a task that fails to load leaves nothing, nor finds what the bundle lacks, and one that writes at import changes no release', async () => {
  const releasesDir = join(project.dir, '.cnf', 'local', 'releases');
  const before = readdirSync(releasesDir).sort();
  const noop = join(project.dir, 'lambda', 'tasks', 'noop.ts');
  const source = readFileSync(noop, 'utf8');
  writeFileSync(noop, `${source}\nthrow new Error('noop cannot load');\n`);
  try {
    const failed = await project.cli(['deploy']);
    expect(failed.code).toBe(65);
    expect(failed.stderr).toContain('noop cannot load');
    expect(failed.stderr).toMatch(/\(at lambda\/tasks\/noop\.ts:\d+:\d+\)/);
    // Nothing stored, and no staging directory left beside the releases.
    expect(readdirSync(releasesDir).sort()).toEqual(before);
  } finally {
    writeFileSync(noop, source);
  }
  // A package the bundle does not hold is not found where Lambda would not find it either: none of the project's own.
  writeFileSync(noop, `await import(['con', 'structs'].join(''));\n${source}`);
  try {
    const unbundled = await project.cli(['deploy']);
    expect(unbundled.code).toBe(65);
    expect(unbundled.stderr).toContain("Cannot find package 'constructs'");
    expect(readdirSync(releasesDir).sort()).toEqual(before);
  } finally {
    writeFileSync(noop, source);
  }
  // A task module that writes into its directory, and into a file of the bundle, when it is imported (as the catalog is read).
  writeFileSync(
    noop,
    [
      "import { appendFileSync, existsSync, writeFileSync } from 'node:fs';",
      "writeFileSync('written-at-import.txt', 'x');",
      "if (existsSync('web.mjs.map')) appendFileSync('web.mjs.map', '\\n');",
      source,
    ].join('\n'),
  );
  try {
    const deployed = await project.cli(['deploy', '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    const release = (JSON.parse(deployed.stdout) as { release: string }).release;
    expect(readdirSync(releasesDir).sort()).toEqual([...before, release].sort());
    const bundle = readdirSync(join(releasesDir, release, 'bundle'));
    expect(bundle).toEqual(expect.arrayContaining(['admin.mjs', 'web.mjs', 'manifest.json']));
    expect(bundle).not.toContain('written-at-import.txt');
    // Stored as built: whole, so the next invoke may run it.
    const status = await project.cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(`${status.stdout}${status.stderr}`).not.toMatch(/damaged/i);
  } finally {
    writeFileSync(noop, source);
  }
});

it('counts a source edited while a deploy builds as changed afterwards: the next deploy builds it, never calls the tree deployed', async () => {
  const noop = join(project.dir, 'lambda', 'tasks', 'noop.ts');
  // Held as the catalog is read (esbuild has read every source by then), while the test edits the source.
  const held = holdTaskAtImport(noop);
  try {
    const deploy = finished(spawnCli(['deploy'], { cwd: project.dir }));
    await held.loaded;
    appendFileSync(noop, '\nexport const editedDuringTheBuild = 1;\n');
    held.release();
    expect((await deploy).code).toBe(0);
    const status = await project.cli(['status']);
    expect(`${status.stdout}${status.stderr}`.replace(/\s+/g, ' ')).toMatch(
      /The working tree differs from the live release r-[0-9a-f]{12} \(lambda\/tasks\/noop\.ts\)/,
    );
    const next = await project.cli(['deploy']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/^Built release r-[0-9a-f]{12}/m);
  } finally {
    held.restore();
  }
});
