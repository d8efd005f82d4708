/**
 * `cnf-admin console` and `cnf-admin run` on the local stage, through the
 * real binary, with the example notes app and its embedded PostgreSQL.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, RunResult } from '../../lib/core/run.js';
import { runCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

beforeAll(async () => {
  project = createTestProject('notes');
  expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('console', () => {
  it('evaluates piped statements one by one in one session, with the app scope, printing values', async () => {
    const session = [
      "await db.query(\"insert into notes (title) values ('first'), ('second')\")",
      'const rows = await notes.listNotes(db, 10)',
      'function titles(list) {',
      '  return list.map((note) => note.title).sort()',
      '}',
      'titles(rows)',
      'console.log("seen", rows.length)',
      'rows.nope.length',
      'config.DATABASE_URL.startsWith("postgres://")',
    ].join('\n');
    const result = await project.cli(['console'], { input: `${session}\n` });
    expect(result.stdout).toContain("[ 'first', 'second' ]");
    expect(result.stdout).toContain('seen 2');
    expect(result.stdout).toContain('true');
    expect(result.stderr).toContain("Uncaught TypeError: Cannot read properties of undefined (reading 'length')");
    // the piped session ends with the failing evaluation's exit code
    expect(result.code).toBe(1);
    // every evaluation is an audited run
    const runs = JSON.parse((await project.cli(['runs', '--task', 'cnf:console', '--limit', '50', '--json'])).stdout) as RunRecord[];
    expect(runs.map((run) => run.args.code)).toContain('titles(rows)');
    expect(runs.every((run) => run.source === 'cli')).toBe(true);
  });

  it('evaluates one input with -e and exits 0, or prints the run result with --json', async () => {
    const plain = await project.cli(['console', '-e', '(await db.query("select 40 + 2 as answer"))[0].answer']);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toBe('42');
    const json = await project.cli(['console', '-e', '1 + 1', '--json']);
    // The value as JSON data (the number 2), and as the console shows it.
    expect(JSON.parse(json.stdout)).toMatchObject({ task: 'cnf:console', exitCode: 0, output: { result: 2, text: '2' } });
    const object = JSON.parse((await project.cli(['console', '-e', '({ ids: [1, 2], at: null })', '--json'])).stdout) as RunResult;
    expect(object.output).toEqual({ result: { ids: [1, 2], at: null }, text: '{ ids: [ 1, 2 ], at: null }' });
    // its record keeps the value as the console showed it, none of the session's own fields; its log ends with it
    const recorded = (await project.cli(['runs', 'show', object.runId, '--json'])).stdout;
    expect((JSON.parse(recorded) as RunRecord).result).toBe('{ ids: [ 1, 2 ], at: null }');
    expect((await project.cli(['logs', object.runId])).stdout).toMatch(/^=> \{ ids: \[ 1, 2 \], at: null \}$/m);
    const failed = await project.cli(['console', '-e', 'throw new Error("nope")']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Uncaught Error: nope');
  });

  it('exits with the code an input gives process.exit, with no error line made up for it', async () => {
    const exited = await project.cli(['console', '-e', 'process.exit(5)']);
    expect(exited.code).toBe(5);
    expect(exited.stderr).not.toContain('Uncaught');
    // piped, the session goes on after it, and ends with its code
    const piped = await project.cli(['console'], { input: 'process.exit(3)\n40 + 2\n' });
    expect(piped.code).toBe(3);
    expect(piped.stdout).toContain('42');
    expect(piped.stderr).not.toContain('Uncaught');
  });

  it('says that -e code which ends inside a statement is unfinished (1), as piped input that ends there is', async () => {
    const unfinished = await project.cli(['console', '-e', 'if (true) {']);
    expect(unfinished.code).toBe(1);
    expect(unfinished.stderr).toContain('Uncaught SyntaxError: the input ends inside a statement: if (true) { ...\n');
    expect(unfinished.stderr).not.toContain('Unexpected token');
    const piped = await project.cli(['console'], { input: '1 + 1\nif (true) {\n' });
    expect(piped.code).toBe(1);
    expect(piped.stderr).toContain('Uncaught SyntaxError: the input ends inside a statement: if (true) { ...\n');
  });

  it('says when lambda/console.ts is written but lambda/admin.ts names no console, whose names are then undefined', async () => {
    const admin = join(project.dir, 'lambda', 'admin.ts');
    const kept = readFileSync(admin, 'utf8');
    const notice =
      "lambda/console.ts gives this console nothing: lambda/admin.ts names no console. Add console: () => import('./console.js') to createAdminHandler's options, beside tasks.";
    expect(kept).toContain("console: () => import('./console.js'),");
    try {
      writeFileSync(admin, kept.replace("console: () => import('./console.js'),", ''));
      const unnamed = await project.cli(['console', '-e', 'typeof db']);
      expect(unnamed.code, unnamed.stderr).toBe(0);
      expect(unnamed.stdout.trim()).toBe("'undefined'");
      expect(unnamed.stderr.replace(/\n(?!! )/g, ' ')).toContain(notice);
    } finally {
      writeFileSync(admin, kept);
    }
    const named = await project.cli(['console', '-e', 'typeof db']);
    expect(named.stdout.trim()).toBe("'object'");
    expect(named.stderr).not.toContain('gives this console nothing');
  });
});

describe('console and the database', () => {
  it("shows a database error's code, detail and position, as Node's REPL would", async () => {
    const missing = await project.cli(['console', '-e', 'await db.query("select nope from notes")']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Uncaught error: column "nope" does not exist');
    expect(missing.stderr).toMatch(/^ {2}code: 42703$/m);
    expect(missing.stderr).toMatch(/^ {2}position: 8$/m);
    const duplicate = await project.cli(['console', '-e', `await db.query("insert into notes (id, title) values (-7, 'a'), (-7, 'b')")`]);
    expect(duplicate.stderr).toContain('Uncaught error: duplicate key value violates unique constraint "notes_pkey"');
    expect(duplicate.stderr).toMatch(/^ {2}code: 23505$/m);
    expect(duplicate.stderr).toMatch(/^ {2}detail: Key \(id\)=\(-7\) already exists\.$/m);
  });
});

describe('run', () => {
  it('runs a script that ships in the release, with args after --', async () => {
    await project.cli(['console', '-e', "await db.query(\"insert into notes (title) values ('  padded  '), ('   ')\")"]);
    const dry = await project.cli(['run', 'scripts/fix-bad-records.ts', '--json', '--', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ task: 'scripts/fix-bad-records.ts', output: { bad: 2, fixed: 0 } });
    expect(dry.stderr).toContain('Would fix note');
    // the same script named from inside its directory, from the project's root there too, or by an absolute path a shell completed
    for (const [path, cwd] of [
      ['fix-bad-records.ts', join(project.dir, 'scripts')],
      ['scripts/fix-bad-records.ts', join(project.dir, 'scripts')],
      [join(project.dir, 'scripts', 'fix-bad-records.ts'), project.dir],
    ] as const) {
      const named = await runCli(['run', path, '--json', '--', '--dry-run'], { cwd });
      expect(named.code, named.stderr).toBe(0);
      expect(JSON.parse(named.stdout)).toMatchObject({ task: 'scripts/fix-bad-records.ts', output: { bad: 2, fixed: 0 } });
    }
    const fixed = JSON.parse((await project.cli(['run', './scripts/fix-bad-records.ts', '--json'])).stdout) as RunResult;
    expect(fixed.output).toEqual({ bad: 2, fixed: 2 });
    const titles = await project.cli([
      'console',
      '-e',
      '(await db.query("select title from notes order by id desc limit 2")).map((row) => row.title)',
    ]);
    expect(titles.stdout).toContain("[ '(untitled)', 'padded' ]");
  });

  it("refuses a path that names one script from where it runs and another from the project's root (64), naming both; nothing ran", async () => {
    const inside = join(project.dir, 'scripts');
    mkdirSync(join(inside, 'scripts'));
    writeFileSync(join(inside, 'scripts', 'fix-bad-records.ts'), 'export {};\n');
    try {
      const result = await runCli(['run', 'scripts/fix-bad-records.ts'], { cwd: inside });
      expect(result.code).toBe(64);
      expect(result.stderr).toContain(
        `scripts/fix-bad-records.ts names two scripts: ${join(inside, 'scripts', 'fix-bad-records.ts')} from here, and ${join(inside, 'fix-bad-records.ts')} from the project's root.`,
      );
      expect(result.stderr).not.toContain('▶');
    } finally {
      rmSync(join(inside, 'scripts'), { recursive: true, force: true });
    }
  });

  it('refuses a script that is not in the release it runs, saying it must ship with one; the checkout deploys it first', async () => {
    const before = (JSON.parse((await project.cli(['deploy', '--json'])).stdout) as { release: string }).release;
    writeFileSync(
      join(project.dir, 'scripts', 'new-fix.ts'),
      "import { defineScript } from 'cnf-admin/runtime';\nexport default defineScript({ description: 'New', run: async () => 1 });\n",
    );
    const pinned = await project.cli(['run', 'scripts/new-fix.ts', '--release', before]);
    expect(pinned.code).toBe(64);
    expect(pinned.stderr).toMatch(/scripts\/new-fix\.ts is not in release r-[0-9a-f]{12}: a script must ship with a release/);
    expect(pinned.stderr).not.toContain('▶');
    // Locally the checkout is the release: without --release, the working tree is deployed first, and the script runs.
    const deployed = await project.cli(['run', 'scripts/new-fix.ts']);
    expect(deployed.code).toBe(0);
    expect(deployed.stderr).toContain('Deployed the working tree (changed: scripts/new-fix.ts (new)): release');
  });

  it("runs with the navigator global that Lambda's Node has, on any local Node", async () => {
    writeFileSync(
      join(project.dir, 'scripts', 'navigator.ts'),
      [
        "import { defineScript } from 'cnf-admin/runtime';",
        'export default defineScript({',
        "  description: 'Says what navigator the run sees',",
        '  run: async () => ({ userAgent: navigator.userAgent, tag: Object.prototype.toString.call(navigator) }),',
        '});',
        '',
      ].join('\n'),
    );
    const result = await project.cli(['run', 'scripts/navigator.ts', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const major = process.versions.node.split('.')[0] ?? '';
    expect((JSON.parse(result.stdout) as RunResult).output).toEqual({ userAgent: `Node.js/${major}`, tag: '[object Navigator]' });
  });

  it('refuses a path outside scripts/', async () => {
    const result = await project.cli(['run', 'lambda/db.ts']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('cnf-admin run takes the path of a .ts file under scripts/');
  });

  it('bundles a module the scripts share without taking it for a script: tasks run, the script that imports it runs, and it is refused', async () => {
    mkdirSync(join(project.dir, 'scripts', 'lib'), { recursive: true });
    writeFileSync(join(project.dir, 'scripts', 'lib', 'greeting.ts'), "export const greeting = 'shared by the scripts';\n");
    writeFileSync(
      join(project.dir, 'scripts', 'greet.ts'),
      [
        "import { defineScript } from 'cnf-admin/runtime';",
        "import { greeting } from './lib/greeting.js';",
        "export default defineScript({ description: 'Greets', run: async () => greeting });",
        '',
      ].join('\n'),
    );
    const task = await project.cli(['invoke', 'migrate']);
    expect(task.code, task.stderr).toBe(0);
    const listed = JSON.parse((await project.cli(['tasks', '--json'])).stdout) as { scripts: { name: string }[] };
    expect(listed.scripts.map((script) => script.name)).toContain('scripts/greet.ts');
    expect(listed.scripts.map((script) => script.name)).not.toContain('scripts/lib/greeting.ts');
    const greet = await project.cli(['run', 'scripts/greet.ts', '--json']);
    expect(greet.code, greet.stderr).toBe(0);
    expect((JSON.parse(greet.stdout) as RunResult).output).toBe('shared by the scripts');
    const shared = await project.cli(['run', 'scripts/lib/greeting.ts']);
    expect(shared.code).toBe(64);
    expect(shared.stderr).toContain('scripts/lib/greeting.ts is not a script: its module default-exports no defineScript(');
  });

  it('refuses a shared module just written as not a script, not as one to commit and deploy, when the tree is deployed first', async () => {
    mkdirSync(join(project.dir, 'scripts', 'lib'), { recursive: true });
    writeFileSync(join(project.dir, 'scripts', 'lib', 'farewell.ts'), "export const farewell = 'bye';\n");
    const result = await project.cli(['run', 'scripts/lib/farewell.ts']);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/^cnf-admin: scripts\/lib\/farewell\.ts is not a script: its module default-exports no defineScript\(/);
    expect(result.stderr).not.toContain('must ship with a release');
  });

  it('says that a script written as a task (defineTask) is written with defineScript instead, on a deployed tree or a new one', async () => {
    const written = join(project.dir, 'scripts', 'count.ts');
    writeFileSync(
      written,
      [
        "import { defineTask } from 'cnf-admin/runtime';",
        "export default defineTask({ name: 'count', description: 'Counts', run: async () => 1 });",
        '',
      ].join('\n'),
    );
    const hint =
      'scripts/count.ts is written with defineTask: a script default-exports defineScript({ description, args, run }) from cnf-admin/runtime, with no name (its path names it).';
    try {
      // The tree differs: it is built first, and the release it built does not take the module for a script.
      const built = await project.cli(['run', 'scripts/count.ts']);
      expect(built.code).toBe(64);
      expect(built.stderr).toContain('scripts/count.ts is not a script');
      expect(built.stderr).toContain(hint);
      // Deployed as it is: the check before the run says the same.
      expect((await project.cli(['deploy'])).code).toBe(0);
      const deployed = await project.cli(['run', 'scripts/count.ts', '--dry-run']);
      expect(deployed.code).toBe(64);
      expect(deployed.stderr).toContain(hint);
    } finally {
      rmSync(written);
    }
  });
});
