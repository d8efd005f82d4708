import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../../support/cli.js';
import { tempDir } from '../../support/temp-dir.js';

/** A directory with a package.json, as `npm init` leaves it (ESM). */
function appDir(pkg: Record<string, unknown> = { name: 'billing', version: '1.0.0', type: 'module' }): string {
  const dir = tempDir('cnf-init');
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}

/** Every file below `dir` with its contents and modification time, for "nothing changed" checks. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .map((file) => [relative(dir, file).split(sep).join('/'), `${statSync(file).mtimeMs} ${readFileSync(file, 'utf8')}`]),
  );
}

const init = (dir: string, ...args: string[]) => runCli(['init', ...args], { cwd: dir });
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('cnf-admin init', () => {
  it('sets up an empty project: cdk.json, entries, an example task, a CDK app, tsconfig, .gitignore; then prints the next commands', async () => {
    const dir = appDir({ name: '@acme/Billing_API', version: '1.0.0', type: 'module' });

    const result = await init(dir);

    expect(result.code, result.stderr).toBe(0);
    expect(json(join(dir, 'cdk.json'))).toEqual({
      app: 'npx cnf-admin cdk-app bin/cdk-app.ts',
      context: {
        cnf: {
          app: 'billing-api',
          stages: { local: { platform: 'local' }, dev: { platform: 'aws' }, prod: { platform: 'aws' } },
        },
      },
    });
    expect(Object.keys(snapshot(dir)).sort()).toEqual([
      '.gitignore',
      'bin/cdk-app.ts',
      'cdk.json',
      'lambda/admin.ts',
      'lambda/tasks/hello.ts',
      'lambda/web.ts',
      'package.json',
      'tsconfig.json',
    ]);
    expect(readFileSync(join(dir, 'lambda', 'admin.ts'), 'utf8')).toContain("hello: () => import('./tasks/hello.js')");
    expect(readFileSync(join(dir, 'lambda', 'tasks', 'hello.ts'), 'utf8')).toContain("from 'cnf-admin/runtime'");
    expect(readFileSync(join(dir, 'bin', 'cdk-app.ts'), 'utf8')).toContain("new AdminApp(stack, 'Admin', { stage })");
    expect(readFileSync(join(dir, 'bin', 'cdk-app.ts'), 'utf8')).toContain('`billing-api-${stage}`');
    // cdk-nag's AwsSolutions pack checks the app at synth, as docs/cdk.md says (the adoption test synthesises it clean).
    expect(readFileSync(join(dir, 'bin', 'cdk-app.ts'), 'utf8')).toContain('\naddCdkNagChecks(app);\n');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n.cnf/\ncdk.out/\n');
    expect(result.stdout).toContain('Set up billing-api:');
    // Written as it was started: from a shell, not through npm.
    expect(result.stdout).toMatch(/Next:\n {2}cnf-admin invoke hello --stage local\n {2}npx cdk synth -c stage=prod\n/);
  });

  it('says to install the CDK CLI before npx cdk synth when the project has none, and not when it has', async () => {
    const dir = appDir();
    // A PATH with node but no cdk: as in an app installed without aws-cdk.
    const path = [dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);

    const without = await runCli(['init'], { cwd: dir, env: { PATH: path } });

    expect(without.code, without.stderr).toBe(0);
    expect(without.stdout).toMatch(/\n {2}npm install -D aws-cdk {3}# the CDK CLI, which npx cdk runs\n {2}npx cdk synth -c stage=prod\n/);

    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', '.bin', 'cdk'), join(dir, 'node_modules', '.bin', 'cdk'));
    const installed = await runCli(['init'], { cwd: dir, env: { PATH: path } });

    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).not.toContain('npm install -D aws-cdk');
    expect(installed.stdout).toContain('\n  npx cdk synth -c stage=prod\n');
  });

  it('changes nothing when run twice, and says so', async () => {
    const dir = appDir();
    expect((await init(dir)).code).toBe(0);
    const before = snapshot(dir);

    const again = await init(dir);

    expect(again.code, again.stderr).toBe(0);
    // wrapped at the width of a pipe, 80 columns, as the table below it
    expect(again.stdout.replace(/\s+/g, ' ')).toContain(
      'Nothing to do: this project is set up for cnf-admin (app billing). No file was changed.',
    );
    expect(snapshot(dir)).toEqual(before);
    expect(again.stdout).not.toContain('CDK app of its own');
  });

  it('reports every file it looked at in aligned columns: what it did, or that the file was already there', async () => {
    const dir = appDir();
    expect((await init(dir, '--database', 'postgres')).code).toBe(0);

    const again = await runCli(['init'], { cwd: dir, env: { COLUMNS: '120' } });
    const narrow = await runCli(['init'], { cwd: dir, env: { COLUMNS: '60' } });

    expect(again.code, again.stderr).toBe(0);
    // Narrower, the last column wraps between words under itself, and no line is wider than the terminal.
    const narrowRows = narrow.stdout.split('\n').filter((line) => line.startsWith('  '));
    expect(Math.max(...narrowRows.map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(narrow.stdout).toMatch(/^ {2}already there {2}\.gitignore {15}ignores\n {42}node_modules\/,\n {42}\.cnf\/ and cdk\.out\/$/m);
    const rows = again.stdout.split('\n').filter((line) => line.startsWith('  already there'));
    // Every file init wrote the first time, and the package.json it read, in the order it looks at them.
    expect(rows.map((row) => row.split(/ {2,}/)[2])).toEqual([
      'package.json',
      'cdk.json',
      'lambda/admin.ts',
      'lambda/tasks/hello.ts',
      'lambda/tasks/migrate.ts',
      'lambda/migrations/',
      'lambda/web.ts',
      'bin/cdk-app.ts',
      'tsconfig.json',
      '.gitignore',
    ]);
    // The third column starts at one place on every line.
    const descriptionStarts = rows.map((row) => /^ {2}already there {2}\S+ +/.exec(row)?.[0].length);
    expect(new Set(descriptionStarts)).toEqual(new Set([descriptionStarts[0]]));
    expect(descriptionStarts[0]).toBe('  already there  lambda/tasks/migrate.ts  '.length);
    expect(again.stdout).toMatch(/^ {2}already there {2}cdk\.json +app billing, stages local, dev, prod$/m);
    expect(again.stdout).toMatch(/^ {2}already there {2}\.gitignore +ignores node_modules\/, \.cnf\/ and cdk\.out\/$/m);
  });

  it("merges context.cnf into a project's cdk.json without touching its other keys, and keeps its files", async () => {
    const dir = appDir();
    const cdkJson = {
      app: 'npx ts-node bin/infra.ts',
      watch: { include: ['**'] },
      context: { '@aws-cdk/core:newStyleStackSynthesis': true },
    };
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson));
    mkdirSync(join(dir, 'lambda'));
    writeFileSync(join(dir, 'lambda', 'web.ts'), '// mine\n');
    writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n/cdk.out');

    const result = await init(dir, '--app', 'ledger');

    expect(result.code, result.stderr).toBe(0);
    const written = json(join(dir, 'cdk.json'));
    expect(written.app).toBe(cdkJson.app);
    expect(written.watch).toEqual(cdkJson.watch);
    expect(written.context['@aws-cdk/core:newStyleStackSynthesis']).toBe(true);
    expect(written.context.cnf.app).toBe('ledger');
    expect(readFileSync(join(dir, 'lambda', 'web.ts'), 'utf8')).toBe('// mine\n');
    expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).toBe('{}\n');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n/cdk.out\n.cnf/\n');
    expect(existsSync(join(dir, 'lambda', 'admin.ts'))).toBe(true);
    expect(result.stdout).toMatch(/^ {2}already there {2}lambda\/web\.ts +the web entry$/m);
    expect(result.stdout).toMatch(/^ {2}already there {2}tsconfig\.json +TypeScript settings$/m);
    expect(result.stdout).toMatch(/^ {2}updated {8}\.gitignore +ignores \.cnf\/$/m);
  });

  it("prints the lines to add to a CDK app of the project's own instead of writing one, and adds no feature flags to its stacks", async () => {
    const dir = appDir();
    writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'npx tsx infra/main.ts', context: { mine: 1 } }));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(REPO_ROOT, 'node_modules', 'aws-cdk-lib'), join(dir, 'node_modules', 'aws-cdk-lib'));

    const result = await init(dir);

    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'bin', 'cdk-app.ts'))).toBe(false);
    expect(json(join(dir, 'cdk.json')).app).toBe('npx tsx infra/main.ts');
    expect(Object.keys(json(join(dir, 'cdk.json')).context as object)).toEqual(['mine', 'cnf']);
    expect(result.stdout).not.toContain('feature flags');
    expect(result.stdout).toContain('This project has a CDK app of its own');
    expect(result.stdout).toContain("import { AdminApp } from 'cnf-admin/construct';");
    expect(result.stdout).toContain("new AdminApp(stack, 'Admin', {});");
    expect(result.stdout.split('\n').filter((line) => /\s$/.test(line))).toEqual([]);
  });

  it('lists what it would write with --dry-run, and writes nothing', async () => {
    const dir = appDir();
    const before = snapshot(dir);

    const result = await init(dir, '--dry-run');

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Would set up billing (--dry-run: nothing is written):');
    expect(result.stdout).toMatch(/would create +cdk\.json/);
    expect(result.stdout).toMatch(/would create +lambda\/tasks\/hello\.ts/);
    expect(snapshot(dir)).toEqual(before);
  });

  it.each([
    [
      'no package.json',
      () => tempDir('cnf-init-empty'),
      [],
      /^cnf-admin: No package\.json in .*\nRun cnf-admin init in your app's directory/,
    ],
    [
      'a CommonJS package',
      () => appDir({ name: 'billing', type: 'commonjs' }),
      [],
      /is not an ES module package \("type" is "commonjs".*\nSet it with npm pkg set type=module/,
    ],
    [
      'a package without a type',
      () => appDir({ name: 'billing' }),
      [],
      /is not an ES module package \(it has no "type"; cnf-admin projects need "type": "module"\)/,
    ],
    [
      'an invalid --app',
      () => appDir(),
      ['--app', 'Billing_API'],
      /^cnf-admin: --app: App name must be .* got: "Billing_API"\nFor example: cnf-admin init --app my-app/,
    ],
    ['an unknown --database', () => appDir(), ['--database', 'mysql'], /--database takes postgres, got: "mysql"/],
    [
      'a cdk.json that is not valid JSON',
      () => {
        const dir = appDir();
        writeFileSync(join(dir, 'cdk.json'), '{ "app": ');
        return dir;
      },
      [],
      /cdk\.json is not valid JSON: .*\nMend cdk\.json in an editor \(init wrote nothing\), then run cnf-admin init again\./,
    ],
    [
      'a package.json that is not valid JSON',
      () => {
        const dir = appDir();
        writeFileSync(join(dir, 'package.json'), '{ "name": ');
        return dir;
      },
      [],
      /package\.json is not valid JSON: .*\nMend package\.json in an editor \(init wrote nothing\), then run cnf-admin init again\./,
    ],
    [
      'a package name that makes no app name',
      () => appDir({ name: '@acme/123', type: 'module' }),
      [],
      /Cannot make an app name from the package name "@acme\/123"/,
    ],
    [
      'a package.json without a name',
      () => appDir({ type: 'module' }),
      [],
      /Cannot make an app name from package\.json, which has no "name"\.\nName the app: cnf-admin init --app <name>/,
    ],
  ])('refuses %s with exit 64 and a hint, writing nothing', async (_case, makeDir, args, message) => {
    const dir = makeDir();
    const before = snapshot(dir);
    const result = await init(dir, ...args);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(dir)).toEqual(before);
  });

  it('run in a directory of an app, names the app above and says to run it there, writing nothing', async () => {
    const dir = appDir();
    const tasks = join(dir, 'lambda', 'tasks');
    mkdirSync(tasks, { recursive: true });
    const result = await init(tasks);
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      `cnf-admin: No package.json in ${tasks}; the nearest is in ${dir}, the app this directory is in.\n` +
        "Run init in the app's directory: cd ../.. && cnf-admin init (for a new app here instead: npm init -y && npm pkg set type=module)\n",
    );
    expect(Object.keys(snapshot(dir))).toEqual(['package.json']);
  });

  it('run below a package.json that is no app (no cdk.json, no lambda/: a home directory), says only that there is none here', async () => {
    const dir = appDir();
    const below = join(dir, 'projects', 'new-app');
    mkdirSync(below, { recursive: true });
    const result = await init(below);
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      `cnf-admin: No package.json in ${below}.\n` +
        "Run cnf-admin init in your app's directory, or create one first: npm init -y && npm pkg set type=module\n",
    );
  });

  it('sets up SQL migrations, a migrate task and the embedded database with --database postgres', async () => {
    const dir = appDir();

    const result = await init(dir, '--database', 'postgres');

    expect(result.code, result.stderr).toBe(0);
    expect(json(join(dir, 'cdk.json')).context.cnf).toEqual({
      app: 'billing',
      assetDirs: ['migrations'],
      stages: { local: { platform: 'local', database: 'postgres' }, dev: { platform: 'aws' }, prod: { platform: 'aws' } },
    });
    expect(readFileSync(join(dir, 'lambda', 'admin.ts'), 'utf8')).toContain("migrate: () => import('./tasks/migrate.js')");
    expect(readFileSync(join(dir, 'lambda', 'tasks', 'migrate.ts'), 'utf8')).toContain("from 'cnf-admin/migrations'");
    expect(readFileSync(join(dir, 'lambda', 'migrations', '0001_create_items.sql'), 'utf8')).toContain('CREATE TABLE items');
    expect(result.stdout).toContain('\n  cnf-admin invoke migrate --stage local\n');
  });

  it('adds the database to a project init set up before, and names the line to add to its own admin entry', async () => {
    const dir = appDir();
    expect((await init(dir)).code).toBe(0);
    // the plan names each change to cdk.json: the migrations' directory too
    const planned = await init(dir, '--database', 'postgres', '--dry-run');
    expect(planned.stdout.replace(/\s+/g, ' ')).toContain(
      'the local stage runs postgres; assetDirs takes migrations (the migrations ship in the bundle); other keys unchanged',
    );

    const result = await init(dir, '--database', 'postgres');

    expect(result.code, result.stderr).toBe(0);
    expect(json(join(dir, 'cdk.json')).context.cnf.stages.local).toEqual({ platform: 'local', database: 'postgres' });
    expect(result.stdout).toContain(
      "Add the migrate task to the tasks of lambda/admin.ts:\n  migrate: () => import('./tasks/migrate.js'),",
    );
    expect(existsSync(join(dir, 'lambda', 'tasks', 'migrate.ts'))).toBe(true);

    // run again before the line is added, it still says so, rather than "Nothing to do"
    const again = await init(dir, '--database', 'postgres');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.replace(/\s+/g, ' ')).toMatch(
      /^No file to write: this project is set up for cnf-admin \(app billing\) but for the step below\./,
    );
    expect(again.stdout).toContain("Add the migrate task to the tasks of lambda/admin.ts:\n  migrate: () => import('./tasks/migrate.js'),");
    // a line commented out lists nothing
    const admin = join(dir, 'lambda', 'admin.ts');
    const written = readFileSync(admin, 'utf8');
    writeFileSync(admin, written.replace('tasks: {', "tasks: {\n    // migrate: () => import('./tasks/migrate.js'),"));
    expect((await init(dir, '--database', 'postgres')).stdout).toContain('Add the migrate task to the tasks of lambda/admin.ts');
    writeFileSync(admin, written);
    // once it is added, there is nothing to do
    writeFileSync(admin, readFileSync(admin, 'utf8').replace('tasks: {', "tasks: {\n    migrate: () => import('./tasks/migrate.js'),"));
    const done = await init(dir, '--database', 'postgres');
    expect(done.stdout).toMatch(/^Nothing to do: this project is set up for cnf-admin \(app billing\)\./);
    expect(done.stdout).not.toContain('Add the migrate task');
  });

  it("writes the recommended feature flags of the project's own aws-cdk-lib into a new cdk.json", async () => {
    const dir = appDir();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(REPO_ROOT, 'node_modules', 'aws-cdk-lib'), join(dir, 'node_modules', 'aws-cdk-lib'));

    const result = await init(dir);

    expect(result.code, result.stderr).toBe(0);
    const context = json(join(dir, 'cdk.json')).context as Record<string, unknown>;
    expect(context['@aws-cdk/aws-lambda:recognizeLayerVersion']).toBe(true);
    expect(Object.keys(context).filter((key) => key.startsWith('@aws-cdk/')).length).toBeGreaterThan(50);
  });

  it('warns about a tsconfig that cannot resolve package subpaths and an admin entry that is not a cnf-admin one', async () => {
    const dir = appDir();
    writeFileSync(
      join(dir, 'tsconfig.json'),
      '{\n  // CommonJS days\n  "compilerOptions": { "module": "commonjs", "moduleResolution": "node" }\n}\n',
    );
    mkdirSync(join(dir, 'lambda'));
    writeFileSync(join(dir, 'lambda', 'admin.ts'), 'export const handler = async () => "my own";\n');

    const result = await init(dir);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('! tsconfig.json has "moduleResolution": "node", which ignores package exports');
    expect(result.stderr).toContain('! lambda/admin.ts exists but is not a cnf-admin admin entry');
    expect(readFileSync(join(dir, 'lambda', 'admin.ts'), 'utf8')).toBe('export const handler = async () => "my own";\n');
  });

  it("warns when a file of the project's own is where the admin entry it writes looks for a task, and keeps it", async () => {
    const dir = appDir();
    mkdirSync(join(dir, 'lambda', 'tasks'), { recursive: true });
    writeFileSync(join(dir, 'lambda', 'tasks', 'hello.ts'), 'export function hello() {\n  return 1;\n}\n');
    writeFileSync(join(dir, 'lambda', 'tasks', 'migrate.ts'), "import knex from 'knex';\nexport async function migrate() {}\n");

    const result = await init(dir, '--database', 'postgres');

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "! lambda/tasks/hello.ts exists but is not a cnf-admin task (it does not default-export defineTask), and lambda/admin.ts, which init writes, lists it as the task hello. Make it export default defineTask({ name: 'hello', ... }) from cnf-admin/runtime, or remove the hello line from lambda/admin.ts.",
    );
    expect(result.stderr).toContain('! lambda/tasks/migrate.ts exists but is not a cnf-admin task');
    expect(readFileSync(join(dir, 'lambda', 'tasks', 'hello.ts'), 'utf8')).toBe('export function hello() {\n  return 1;\n}\n');
    // init's own task files, and a run of it that finds them, say nothing of the kind.
    const fresh = appDir();
    expect((await init(fresh, '--database', 'postgres')).stderr).not.toContain('is not a cnf-admin task');
  });
});
