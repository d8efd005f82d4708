import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, type Bundle } from '../../lib/bundle/build-bundle.js';
import { BuildError, BuildStoppedError } from '../../lib/core/errors.js';
import { loadProject } from '../../lib/core/project.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let bundle: Bundle;

const sourceOf = (testProject: TestProject) => loadProject(testProject.dir);
const text = (found: Bundle, path: string) => new TextDecoder().decode(found.files.find((file) => file.path === path)?.contents);

/** Every input module reachable from an output, through static and dynamic imports. */
function reachableInputs(metafile: Metafile, entry: string): string[] {
  const outputs = metafile.outputs;
  const start = Object.keys(outputs).find((path) => path.endsWith(`/${entry}`) || path === entry);
  const seen = new Set<string>();
  const pending = start === undefined ? [] : [start];
  while (pending.length > 0) {
    const output = pending.pop() as string;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of outputs[output]?.imports ?? []) if (!imported.external) pending.push(imported.path);
  }
  return [...seen].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {}));
}

beforeAll(async () => {
  project = createTestProject('notes');
  bundle = await buildBundle(sourceOf(project));
});

afterAll(async () => {
  await project.cleanup();
});

describe('buildBundle', () => {
  it('builds a web and an admin entry as ESM, code-split, with source maps', () => {
    const paths = bundle.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['web.mjs', 'web.mjs.map', 'admin.mjs', 'admin.mjs.map', 'manifest.json']));
    expect(paths.some((path) => /^chunks\/migrate-[A-Z0-9]+\.mjs$/.test(path))).toBe(true);
    expect(text(bundle, 'web.mjs')).toMatch(/^import[\s{"]/m);
    // the require shim only where a module's code names require: pg's chunk has it, the web entry not
    expect(text(bundle, 'web.mjs')).not.toContain('__cnfCreateRequire');
    expect(
      bundle.files.some((file) => file.path.endsWith('.mjs') && text(bundle, file.path).includes('__cnfCreateRequire(import.meta.url)')),
    ).toBe(true);
    expect(text(bundle, 'web.mjs')).toContain('//# sourceMappingURL=web.mjs.map');
    expect(JSON.parse(text(bundle, 'web.mjs.map')).sources).toContain('lambda/web.ts');
  });

  it('ships the SQL migrations with the code', () => {
    expect(text(bundle, 'migrations/0001_create_notes.sql')).toContain('CREATE TABLE notes');
  });

  it('carries a manifest of its tasks with args as JSON Schema', () => {
    const manifest = JSON.parse(text(bundle, 'manifest.json')) as typeof bundle.catalog;
    expect(manifest).toEqual(bundle.catalog);
    expect(manifest.tasks.map((task) => task.name)).toEqual(['migrate', 'notes:backfill', 'notes:purge', 'seed']);
    expect(manifest.tasks[0]).toMatchObject({ name: 'migrate', lock: true, description: expect.stringContaining('migrations') });
    expect(manifest.tasks[1]).toMatchObject({ name: 'notes:backfill', runtime: 'container', timeoutSeconds: 14_400 });
    expect(manifest.tasks[2]?.args).toMatchObject({
      type: 'object',
      required: ['olderThanDays'],
      properties: { olderThanDays: { type: 'integer', minimum: 1 } },
    });
  });

  it('is deterministic: the same source gives the same bytes and release id', async () => {
    const again = await buildBundle(sourceOf(project));
    expect(again.release).toBe(bundle.release);
    expect(again.release).toMatch(/^r-[0-9a-f]{12}$/);
    expect(again.files.map((file) => [file.path, Buffer.from(file.contents).toString('base64')])).toEqual(
      bundle.files.map((file) => [file.path, Buffer.from(file.contents).toString('base64')]),
    );
  });

  it("keeps every task module and the tasks' dependencies out of the web entry's import graph", () => {
    const web = reachableInputs(bundle.metafile, 'web.mjs');
    const admin = reachableInputs(bundle.metafile, 'admin.mjs');
    const taskOnly = (inputs: string[]) =>
      inputs.filter(
        (input) =>
          input.includes('lambda/tasks/') ||
          /node_modules\/zod\//.test(input) ||
          input.endsWith('dist/lib/runtime/vendor/umzug.js') ||
          input.endsWith('dist/lib/runtime/admin-handler.js'),
      );
    // the admin side does reach them: the check below can fail
    expect(admin).toContain('lambda/tasks/migrate.ts');
    expect(admin.some((input) => input.endsWith('dist/lib/runtime/admin-handler.js'))).toBe(true);
    // umzug, as the runtime ships it (lib/runtime/vendor/)
    expect(admin.some((input) => input.endsWith('dist/lib/runtime/vendor/umzug.js'))).toBe(true);
    expect(web).toContain('lambda/web.ts');
    expect(taskOnly(web)).toEqual([]);
  });

  it('changes the release id when a task changes, and when a migration changes', async () => {
    const copy = createTestProject('notes');
    try {
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'seed.ts'), '\nexport const changed = 1;\n');
      const changedTask = await buildBundle(sourceOf(copy));
      expect(changedTask.release).not.toBe(bundle.release);
      appendFileSync(join(copy.dir, 'lambda', 'migrations', '0002_index_notes_created_at.sql'), '\n-- comment\n');
      expect((await buildBundle(sourceOf(copy))).release).not.toBe(changedTask.release);
    } finally {
      await copy.cleanup();
    }
  });
});

describe('buildBundle leaves nothing behind', () => {
  it('removes the copies that a cnf-admin killed while its tasks loaded left in the temporary directory, and no copy in use', async () => {
    // A copy names the process that made it: one whose process is gone was left behind, one whose process lives is in use.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const abandoned = mkdtempSync(join(tmpdir(), `cnf-describe-${gone}-`));
    const inUse = mkdtempSync(join(tmpdir(), `cnf-describe-${process.pid}-`));
    try {
      await buildBundle(sourceOf(project));
      expect(existsSync(abandoned)).toBe(false);
      expect(existsSync(inUse)).toBe(true);
    } finally {
      rmSync(abandoned, { recursive: true, force: true });
      rmSync(inUse, { recursive: true, force: true });
    }
  });
});

describe('buildBundle with a broken one-time script', () => {
  it('says which script failed to load, what it threw and where', async () => {
    const project = createTestProject('tasks');
    try {
      mkdirSync(join(project.dir, 'scripts'));
      writeFileSync(join(project.dir, 'scripts', 'fix.ts'), "export default undefined;\nthrow new Error('not today');\n");
      await expect(buildBundle(sourceOf(project))).rejects.toThrow(
        /^Script scripts\/fix\.ts failed to load: not today \(at scripts\/fix\.ts:2:\d+\)$/,
      );
    } finally {
      await project.cleanup();
    }
  });
});

describe('buildBundle on broken code', () => {
  let broken: TestProject;

  beforeAll(() => {
    broken = createTestProject('tasks');
  });

  afterAll(async () => {
    await broken.cleanup();
  });

  it('names the file and line of a compile error (exit 65)', async () => {
    writeFileSync(join(broken.dir, 'lambda', 'tasks', 'noop.ts'), 'export default {{;\n');
    const error = await buildBundle(sourceOf(broken)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).exitCode).toBe(65);
    expect((error as BuildError).message).toMatch(/lambda\/tasks\/noop\.ts:1:\d+: /);
  });

  it('says which package an import needs that is not installed, once per package, and how to install it', async () => {
    writeFileSync(
      join(broken.dir, 'lambda', 'tasks', 'noop.ts'),
      "import pad from 'left-pad-not-installed';\nimport { x } from 'left-pad-not-installed/sub';\nimport { y } from 'zod/no-such-entry';\nexport default { pad, x, y };\n",
    );
    const error = (await buildBundle(sourceOf(broken)).catch((caught: unknown) => caught)) as BuildError;
    expect(error).toBeInstanceOf(BuildError);
    expect(error.exitCode).toBe(65);
    const lines = error.message.split('\n');
    expect(lines.filter((line) => line.includes('left-pad-not-installed'))).toEqual([
      '  lambda/tasks/noop.ts:1:16: Could not resolve "left-pad-not-installed": the package left-pad-not-installed is not installed (and 1 more import of it)',
    ]);
    // zod is installed: a subpath it does not export is the code's mistake, said as esbuild says it
    expect(lines).toContain('  lambda/tasks/noop.ts:3:18: Could not resolve "zod/no-such-entry"');
    expect(error.hint).toBe(
      'Install it: npm install -D left-pad-not-installed, fix the code at the other places named above, then run the command again: nothing was deployed, and nothing ran.',
    );
  });

  it('says in a line which task module failed to load, what it threw and where in the app, with no stack', async () => {
    writeFileSync(join(broken.dir, 'lambda', 'tasks', 'noop.ts'), "const table = JSON.parse('{not json');\nexport default table;\n");
    const error = (await buildBundle(sourceOf(broken)).catch((caught: unknown) => caught)) as BuildError;
    expect(error).toBeInstanceOf(BuildError);
    expect(error.exitCode).toBe(65);
    expect(error.message).toMatch(/^Task "noop" failed to load: SyntaxError: .*JSON.* \(at lambda\/tasks\/noop\.ts:1:\d+\)$/);
    // The user runs the command again, as after a compile error: there is no build of their own to start.
    expect(error.hint).toBe(
      'Fix it, then run the command again: nothing was deployed, and nothing ran. CNF_DEBUG=1 prints the whole stack.',
    );
    // the whole stack, for CNF_DEBUG=1: the loading process's, source-mapped to the app's file
    expect(error.stack).toMatch(/caused by: SyntaxError[\s\S]*lambda\/tasks\/noop\.ts:1:/);
  });

  it('says which task a module was registered as when it exports another task, naming no place in the app', async () => {
    writeFileSync(
      join(broken.dir, 'lambda', 'tasks', 'noop.ts'),
      "import { defineTask } from 'cnf-admin/runtime';\nexport default defineTask({ name: 'other', description: 'x', run: async () => 0 });\n",
    );
    await expect(buildBundle(sourceOf(broken))).rejects.toThrow(
      /^Task "noop" failed to load: TypeError: The module registered as task "noop" must default-export defineTask\(\{ name: "noop", run, \.\.\. \}\); its default export is named "other"$/,
    );
  });

  it('says when the admin entry itself fails to load, or exports no admin handler', async () => {
    const admin = join(broken.dir, 'lambda', 'admin.ts');
    const kept = readFileSync(admin, 'utf8');
    try {
      writeFileSync(admin, "throw new RangeError('no admin today');\nexport const handler = 1;\n");
      await expect(buildBundle(sourceOf(broken))).rejects.toThrow(
        /^The admin entry failed to load: RangeError: no admin today \(at lambda\/admin\.ts:1:\d+\)$/,
      );
      writeFileSync(admin, 'export const handler = async () => 0;\n');
      await expect(buildBundle(sourceOf(broken))).rejects.toThrow(
        'The admin entry must export const handler = createAdminHandler({ tasks: ... }) from cnf-admin/runtime',
      );
    } finally {
      writeFileSync(admin, kept);
    }
  });

  it('calls a load stopped by a signal (a Ctrl-C reaches it too) stopped, not a failed build', async () => {
    writeFileSync(
      join(broken.dir, 'lambda', 'tasks', 'noop.ts'),
      "process.kill(process.pid, 'SIGINT');\nawait new Promise(() => setInterval(() => undefined, 1000));\n",
    );
    const error = await buildBundle(sourceOf(broken)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildStoppedError);
    expect((error as BuildStoppedError).message).toBe("Loading the admin entry's tasks was stopped (SIGINT).");
  });

  it('says a task module that exits the loading process ended it, with its exit code, and never prints the loader', async () => {
    for (const code of [3, 0]) {
      writeFileSync(join(broken.dir, 'lambda', 'tasks', 'noop.ts'), `process.exit(${code});\n`);
      const error = (await buildBundle(sourceOf(broken)).catch((caught: unknown) => caught)) as BuildError;
      expect(error).toBeInstanceOf(BuildError);
      expect(error.message).toBe(
        `The admin entry's tasks failed to load: the process that loads them ended (exit code ${code}) before it answered. Does a task module call process.exit() when it is imported?`,
      );
      expect(error.hint).toMatch(/nothing was deployed/);
    }
  });

  it('says which entry point is missing', async () => {
    rmSync(join(broken.dir, 'lambda', 'web.ts'));
    await expect(buildBundle(sourceOf(broken))).rejects.toThrow('The application has no lambda/web.ts (the web handler).');
  });
});

describe('buildBundle with the layout that context.cnf names', () => {
  let moved: TestProject;

  beforeAll(() => {
    moved = createTestProject('notes');
  });

  afterAll(async () => {
    await moved.cleanup();
  });

  it('builds the same release from entries, asset directories and scripts elsewhere', async () => {
    // given: the notes app with its admin entry renamed, migrations under db/, scripts under ops/
    const { dir } = moved;
    renameSync(join(dir, 'lambda', 'admin.ts'), join(dir, 'lambda', 'admin-entry.ts'));
    mkdirSync(join(dir, 'lambda', 'db'));
    renameSync(join(dir, 'lambda', 'migrations'), join(dir, 'lambda', 'db', 'migrations'));
    renameSync(join(dir, 'scripts'), join(dir, 'ops'));
    const cdkJson = JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8'));
    cdkJson.context.cnf = { ...cdkJson.context.cnf, adminEntry: 'lambda/admin-entry.ts', assetDirs: ['db/migrations'], scriptsDir: 'ops' };
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson));

    // when
    const built = await buildBundle(loadProject(dir));

    // then: the entries keep their names in the bundle, the assets their place below the lambda directory
    const paths = built.files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['admin.mjs', 'web.mjs', 'db/migrations/0001_create_notes.sql']));
    expect(paths.some((path) => path.startsWith('migrations/'))).toBe(false);
    expect(built.catalog.tasks.map((task) => task.name)).toEqual(bundle.catalog.tasks.map((task) => task.name));
    expect(built.catalog.scripts.map((script) => script.name)).toEqual(bundle.catalog.scripts.map((script) => script.name));
    expect(paths.filter((path) => path.startsWith('scripts/')).length).toBeGreaterThan(0);
  });

  it('ships no asset directory when assetDirs is empty', async () => {
    const cdkJson = JSON.parse(readFileSync(join(moved.dir, 'cdk.json'), 'utf8'));
    cdkJson.context.cnf.assetDirs = [];
    writeFileSync(join(moved.dir, 'cdk.json'), JSON.stringify(cdkJson));
    const built = await buildBundle(loadProject(moved.dir));
    expect(built.files.some((file) => file.path.endsWith('.sql'))).toBe(false);
  });
});
