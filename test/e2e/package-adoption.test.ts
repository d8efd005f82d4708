// A new user's first steps with the published package, outside this repository:
// npm pack, npm install the tarball into a fresh app, cnf-admin init, a task of
// their own against the published types, tsc, invoke on the local stage, and
// cdk synth of the prod stack. The app holds no path into the repository.
import { spawn } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITHOUT_CDK_VALIDATION, withCdkValidation } from '../support/cdk-validation.js';
import { REPO_ROOT } from '../support/cli.js';

/** What a finished command left behind. */
interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/*
 * The environment of a user's shell: none of npm's own variables of the npm
 * that may run this test (they would steer the user's npm), no colours.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  // A user's shell: no npm_* of the npm that runs the suite, and aws-cdk-lib's validation on, as it is by default.
  const env = Object.fromEntries(Object.entries(withCdkValidation(process.env)).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return { ...env, CI: 'true', NO_COLOR: '1', CNF_LOCAL_DB_IDLE_SECONDS: '30' };
}

/** Runs a command in `cwd` to its end. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const child = spawn(command, args, { cwd, env: { ...userEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The versions this repository builds and tests with: an npm cache that installed it has them. */
const { devDependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const USER_PACKAGES = [
  ...['aws-cdk-lib', 'constructs', 'aws-cdk', 'zod'].map((name) => `${name}@${devDependencies[name]}`),
  // The compiler `npm install typescript` gives a user: TypeScript 7, which this repository names @typescript/native.
  devDependencies['@typescript/native']!.replace(/^npm:/, ''),
];
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/* What a checkout holds that is not its sources or its build: never copied. */
const NOT_SOURCES = new Set(['node_modules', '.git', '.cnf', 'cdk.out', 'coverage', '.package.json.packing']);

/*
 * A copy of the repository's sources and its dist/ (npm test has just made it
 * current, so prepack packs it as built), with its node_modules linked in:
 * packing rewrites package.json until postpack, and a build would replace
 * dist/; in the repository itself either would pull files from under the
 * test files that run the built binary beside this one.
 */
function checkoutCopy(base: string): string {
  const checkout = join(base, 'checkout');
  cpSync(REPO_ROOT, checkout, { recursive: true, filter: (source) => !NOT_SOURCES.has(source.slice(REPO_ROOT.length).split('/')[0]!) });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');
  return checkout;
}

let base: string;
let checkout: string;
let app: string;
let tarball: string;
let repoManifest: string;
let installed: Finished;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'cnf-adoption-'));
  // As a maintainer packs it: prepack builds dist/ (or packs a current one as built) and writes the published package.json, postpack puts the repo's back.
  checkout = checkoutCopy(base);
  repoManifest = readFileSync(join(checkout, 'package.json'), 'utf8');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', base, ...NPM_FLAGS], checkout);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(base, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  app = join(base, 'shop');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'shop', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  // npm's warnings too (--loglevel=warn): an app's install must not warn about cnf-admin.
  installed = await run('npm', ['install', '-D', tarball, ...USER_PACKAGES, ...NPM_FLAGS, '--loglevel=warn'], app);
  expect(installed.code, installed.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  // init --database postgres started the app's embedded PostgreSQL: stop it before its files go.
  await run('npx', ['cnf-admin', 'db', 'stop'], app);
  rmSync(base, { recursive: true, force: true });
});

describe('adopting the packed cnf-admin in a new app', () => {
  it('installs as a package of its own, not a link into the repository', () => {
    expect(lstatSync(join(app, 'node_modules', 'cnf-admin')).isSymbolicLink()).toBe(false);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'cnf-admin', 'package.json'), 'utf8')) as { name: string };
    expect(manifest.name).toBe('cnf-admin');
  });

  it("publishes a package.json without the repository's scripts, so that npm installs it without a warning about it", () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'cnf-admin', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).toHaveProperty('bin', { 'cnf-admin': 'bin/cnf-admin.cjs' });
    // npm 11 lists a dependency's prepare among the install scripts it warns about.
    expect(installed.stderr).not.toMatch(/^npm warn.*cnf-admin@/m);
    // The repository's own package.json is back as it was, byte for byte.
    expect(readFileSync(join(checkout, 'package.json'), 'utf8')).toBe(repoManifest);
  });

  it('init sets the app up with a database and migrations, and names the tasks to invoke', async () => {
    const result = await run('npx', ['cnf-admin', 'init', '--database', 'postgres'], app);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('npx cnf-admin invoke hello --stage local');
    expect(result.stdout).toContain('npx cnf-admin invoke migrate --stage local');
    const cdkJson = JSON.parse(readFileSync(join(app, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    // The installed aws-cdk-lib's recommended feature flags, as cdk init writes them.
    expect(Object.keys(cdkJson.context).filter((key) => key.startsWith('@aws-cdk/')).length).toBeGreaterThan(50);
    expect(readFileSync(join(app, '.gitignore'), 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['node_modules/', '.cnf/', 'cdk.out/']),
    );
  });

  it("type-checks the user's own task against the installed types, which are not any", async () => {
    writeFileSync(
      join(app, 'lambda', 'tasks', 'orders-count.ts'),
      `import { defineTask } from 'cnf-admin/runtime';
import * as z from 'zod';

export default defineTask({
  name: 'orders:count',
  description: 'Count the orders of the last N days',
  args: z.strictObject({ days: z.number().int().min(1), dryRun: z.boolean().default(false) }),
  async run({ args, log, stage }) {
    // @ts-expect-error days is a number: the published types carry the args schema
    const wrong: string = args.days;
    // Node's globals type-check: cnf-admin brings Node's types.
    await new Promise((resolve) => setTimeout(resolve, 1));
    console.log('counting');
    log.info('Counting', { days: args.days, stage });
    return { days: args.days, dryRun: args.dryRun, wrong };
  },
});
`,
    );
    writeFileSync(
      join(app, 'lambda', 'admin.ts'),
      `import { createAdminHandler } from 'cnf-admin/runtime';

export const handler = createAdminHandler({
  tasks: {
    hello: () => import('./tasks/hello.js'),
    migrate: () => import('./tasks/migrate.js'),
    'orders:count': () => import('./tasks/orders-count.js'),
  },
});
`,
    );
    const checked = await run('npx', ['tsc', '-p', '.'], app);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  });

  let release: string;

  it('invokes the example task and its own on the local stage', async () => {
    const hello = await run('npx', ['cnf-admin', 'invoke', 'hello', '--stage', 'local'], app);
    expect(hello.code, hello.stderr).toBe(0);
    const counted = await run('npx', ['cnf-admin', 'invoke', 'orders:count', '--stage', 'local', '--json', '--', '--days', '7'], app);
    expect(counted.code, counted.stderr).toBe(0);
    const result = JSON.parse(counted.stdout) as { exitCode: number; release: string; output: unknown };
    expect(result).toMatchObject({ exitCode: 0, output: { days: 7, dryRun: false } });
    release = result.release;
  });

  it("migrates the app's embedded PostgreSQL with the migration init wrote, once", async () => {
    const migrated = await run('npx', ['cnf-admin', 'invoke', 'migrate', '--stage', 'local'], app);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain('Applied 0001_create_items');
    const again = await run('npx', ['cnf-admin', 'invoke', 'migrate', '--stage', 'local', '--json'], app);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ exitCode: 0, output: { applied: [], total: 1 } });
  });

  it("synthesises the prod stack with the real cdk, from the local stage's release", async () => {
    const synth = await run('npx', ['cdk', 'synth', '-c', 'stage=prod', '--quiet'], app);
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stderr).not.toContain('feature flags are not configured');
    const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'shop-prod.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.map((fn) => fn.Properties.FunctionName)).toEqual(expect.arrayContaining(['shop-prod-web', 'shop-prod-admin']));
    expect(JSON.stringify(template)).toContain(release);
  });

  it('stops a synth of a stage cdk.json does not declare with one line and exit 64, no stack trace', async () => {
    const synth = await run('npx', ['cnf-admin', 'cdk-app', 'bin/cdk-app.ts'], app, { CDK_CONTEXT_JSON: JSON.stringify({ stage: 'qa' }) });
    expect(synth.code).toBe(64);
    expect(synth.stderr).toContain('Unknown stage "qa". This project\'s stages: local, dev, prod.');
    expect(synth.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists every AWS stage without a stage, as cdk bootstrap needs it', async () => {
    // The synth above validated the same templates: this one lists them.
    const listed = await run('npx', ['cdk', 'ls'], app, WITHOUT_CDK_VALIDATION);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual(['shop-dev', 'shop-prod']);
  });

  it('holds no path into the repository', () => {
    const files = readdirSync(app, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !join(entry.parentPath, entry.name).includes(`${join(app, 'node_modules')}`))
      .filter((entry) => !join(entry.parentPath, entry.name).includes(join(app, 'cdk.out')))
      .map((entry) => join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      // The app's embedded PostgreSQL runs: a file of its own may go between the listing and the read.
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      expect(text, file).not.toContain(REPO_ROOT.replace(/\/$/, ''));
      expect(text, file).not.toContain(checkout);
    }
  });
});
