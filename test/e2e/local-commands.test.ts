/**
 * The other commands on the local stage, through the real binary: tasks,
 * deploy and drift, config, logs, runs, status and releases, help.
 */
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEPT_LOCAL_RELEASES } from '../../lib/core/release.js';
import type { RunRecord } from '../../lib/core/run.js';
import { finished, spawnCli, startWatched } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;
let release: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  const deployed = await project.cli(['deploy', '--json']);
  expect(deployed.code).toBe(0);
  release = (JSON.parse(deployed.stdout) as { release: string }).release;
});

afterAll(async () => {
  await project.cleanup();
});

describe('tasks', () => {
  it("lists the live release's tasks with their args, a task to a line on a wide terminal", async () => {
    const result = await project.cli(['tasks'], { env: { COLUMNS: '260' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^TASK\s+DESCRIPTION\s+ARGS\s+OPTIONS\s+RUNTIME$/m);
    expect(result.stdout).toMatch(
      /^echo\s+Returns its args\s+--count <integer> \[--label <string>, default "none"\] \[--loud\] \[--tags <string>\.\.\.\]\s+-\s+lambda$/m,
    );
    expect(result.stdout).toMatch(/^locked\s+Holds its lock for a while\s+\[--ms <integer>, default 2000\]\s+locked\s+lambda$/m);
    expect(result.stdout).toMatch(/^sleep\s+.*timeout 1s\s+lambda$/m);
  });

  it('lists a block per task below 80 columns: the name, then its description and args indented, each flag whole', async () => {
    const result = await project.cli(['tasks'], { env: { COLUMNS: '60' } });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(result.stdout).not.toMatch(/^TASK\s/m);
    expect(result.stdout).toContain(
      '\n\necho\n  Returns its args\n  --count <integer> [--label <string>, default "none"]\n  [--loud] [--tags <string>...]\n\n',
    );
    // What else a task is stands beside its name; a task without args says so.
    expect(result.stdout).toMatch(/^locked · locked\n {2}Holds its lock for a while\n {2}\[--ms <integer>, default 2000\]$/m);
    expect(result.stdout).toMatch(/^fail\n {2}Throws\n {2}no args$/m);
  });

  it('gives a description room to read at 80 columns: 24 of them, before the args give way', async () => {
    const result = await project.cli(['tasks'], { env: { COLUMNS: '80' } });
    expect(result.code).toBe(0);
    const header = result.stdout.split('\n')[0] ?? '';
    expect(header.indexOf('ARGS') - header.indexOf('DESCRIPTION')).toBeGreaterThanOrEqual(24 + 2);
    expect(
      Math.max(
        ...result.stdout
          .trimEnd()
          .split('\n')
          .map((line) => line.length),
      ),
    ).toBeLessThanOrEqual(80);
  });

  it('prints the catalog with args as JSON Schema with --json', async () => {
    const catalog = JSON.parse((await project.cli(['tasks', '--json'])).stdout) as {
      release: string;
      tasks: { name: string; args: { $schema: string } }[];
    };
    expect(catalog.release).toBe(release);
    expect(catalog.tasks.find((task) => task.name === 'echo')?.args.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

/** Every file under the project's .cnf/local, with its size and modification time. */
function stateFiles(): Record<string, string> {
  const dir = join(project.dir, '.cnf', 'local');
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        const stats = statSync(path);
        return [path.slice(dir.length + 1), `${stats.size}@${stats.mtimeMs}`];
      }),
  );
}

describe('deploy and drift', () => {
  it('reuses the release when nothing changed: same source, same id, and writes nothing', async () => {
    const before = stateFiles();
    const again = JSON.parse((await project.cli(['deploy', '--json'])).stdout) as { release: string; isNew: boolean };
    expect(again).toMatchObject({ release, isNew: false });
    // not even the stage's lock: a deploy with nothing to do only reads
    expect(stateFiles()).toEqual(before);
  });

  it('deploys the working tree before an invoke when it differs, in one line naming the changed file', async () => {
    const copy = createTestProject('tasks');
    try {
      const first = JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string; config: number };
      const live = first.release;
      // a deploy with nothing changed builds nothing, and says which config the live pair runs with, as any deploy does
      const again = await copy.cli(['deploy']);
      expect(again.stderr).toContain(`Reused release ${live} (21 tasks): the working tree matches it, nothing to build.`);
      expect(again.stderr).toContain(`web:live and admin:live already point at ${live} with config v${first.config}.`);
      expect(JSON.parse((await copy.cli(['deploy', '--json'])).stdout)).toMatchObject({ release: live, config: first.config });
      expect(again.stderr).not.toContain('Building the bundle');
      // nor does a new pair of the tree that runs live: it gets that release
      const canary = await copy.cli(['deploy', '--alias', 'canary']);
      expect(canary.stderr).toBe(
        `Reused release ${live} (21 tasks): the working tree matches it, nothing to build.\nweb:canary and admin:canary now point at ${live}.\n`,
      );
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const touched = true;\n');
      const status = await copy.cli(['status']);
      expect(status.stdout.replace(/\s+/g, ' ')).toContain(`The working tree differs from the live release ${live} (lambda/tasks/noop.ts)`);
      const result = await copy.cli(['invoke', 'noop']);
      expect(result.code).toBe(0);
      const deployedLine = result.stderr.split('\n').filter((line) => line.includes('Deployed the working tree'));
      expect(deployedLine).toHaveLength(1);
      expect(deployedLine[0]).toMatch(new RegExp(`changed: lambda/tasks/noop.ts\\): release r-[0-9a-f]{12} is live \\(was ${live}\\)`));
      const deployed = /release (r-[0-9a-f]{12}) is live/.exec(result.stderr)?.[1];
      expect(deployed).not.toBe(live);
      expect(result.stderr).toContain(`release ${deployed}`);
      expect(result.stderr).not.toContain('differs');
      // the next invoke runs it without deploying again
      const next = await copy.cli(['invoke', 'noop']);
      expect(next.stderr).not.toContain('Deployed');
      expect((await copy.cli(['status'])).stdout).toContain('The working tree matches the live release.');
      expect((await copy.cli(['releases'])).stdout).toMatch(new RegExp(`${deployed}.*live\\n${live}`));
      // --release pins a retained release, and deploys nothing
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const again = true;\n');
      const pinned = await copy.cli(['invoke', 'noop', '--release', live]);
      expect(pinned.stderr).toContain(`release ${live}`);
      expect(pinned.stderr).not.toContain('Deployed');
      // a task file the tree imports since is named as new beside the file that imports it
      writeFileSync(
        join(copy.dir, 'lambda', 'tasks', 'fresh.ts'),
        "import { defineTask } from 'cnf-admin/runtime';\n\nexport default defineTask({ name: 'fresh', description: 'New', run: async () => 'fresh' });\n",
      );
      const admin = join(copy.dir, 'lambda', 'admin.ts');
      writeFileSync(
        admin,
        readFileSync(admin, 'utf8').replace(
          "noop: () => import('./tasks/noop.js'),",
          "noop: () => import('./tasks/noop.js'),\n    fresh: () => import('./tasks/fresh.js'),",
        ),
      );
      const fresh = await copy.cli(['invoke', 'fresh']);
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(fresh.stderr).toContain(
        'Deployed the working tree (changed: lambda/tasks/fresh.ts (new), lambda/admin.ts, lambda/tasks/noop.ts): release',
      );
    } finally {
      await copy.cleanup();
    }
  });

  it('--dry-run with a differing tree plans on the tree the invoke would deploy, refuses as it would, and stores nothing', async () => {
    const copy = createTestProject('tasks');
    try {
      const live = (JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string }).release;
      const releases = async () => (JSON.parse((await copy.cli(['releases', '--json'])).stdout) as unknown[]).length;
      const before = await releases();
      // a task only the working tree has: the real invoke deploys it first, so the dry run knows it
      writeFileSync(
        join(copy.dir, 'lambda', 'tasks', 'fresh.ts'),
        "import { defineTask } from 'cnf-admin/runtime';\nexport default defineTask({ name: 'fresh', description: 'new', run: async () => 1 });\n",
      );
      const admin = join(copy.dir, 'lambda', 'admin.ts');
      writeFileSync(admin, readFileSync(admin, 'utf8').replace('tasks: {', "tasks: {\n    fresh: () => import('./tasks/fresh.js'),"));
      const planned = await copy.cli(['invoke', 'fresh', '--dry-run']);
      expect(planned.code, planned.stderr).toBe(0);
      expect(planned.stderr).toMatch(
        new RegExp(`The working tree differs from the live release ${live} \\(.*\\): invoke deploys it first, as r-[0-9a-f]{12}\\.`),
      );
      expect(planned.stderr).not.toContain('which is what runs here');
      expect(planned.stdout).toMatch(
        /^Would run fresh on stage local:\n {2}args {5}\{\}\n {2}release {2}r-[0-9a-f]{12} \(the working tree, built for this dry run: deployed to web:live first\)$/m,
      );
      expect(planned.stdout).not.toContain(live);
      // another alias pair runs what it runs: the notice names that pair and how to deploy to it
      expect((await copy.cli(['deploy', '--alias', 'blue'])).code).toBe(0);
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const later = 2;\n');
      const blue = await copy.cli(['invoke', 'noop', '--alias', 'blue', '--dry-run']);
      expect(blue.stderr.replace(/\s+/g, ' ')).toMatch(
        /The working tree differs from the release behind web:blue r-[0-9a-f]{12} \(.*\), which is what runs here\. Deploy the tree with: cnf-admin deploy --stage local --alias blue/,
      );
      // a tree that does not build: 65, as the real invoke
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const broken = {;\n');
      const unbuilt = await copy.cli(['invoke', 'noop', '--dry-run']);
      expect(unbuilt.code).toBe(65);
      expect(unbuilt.stderr).toMatch(
        /^ {2}lambda\/tasks\/noop\.ts:\d+:\d+: .*\nFix the code at the place named above, then run the command again/m,
      );
      // nothing stored but the blue pair's release, nothing moved
      expect(await releases()).toBe(before + 1);
      const pairs = (JSON.parse((await copy.cli(['status', '--json'])).stdout) as { aliases: { name: string; web: { release: string } }[] })
        .aliases;
      expect(pairs.find((pair) => pair.name === 'live')?.web.release).toBe(live);
    } finally {
      await copy.cleanup();
    }
  });

  it('--dry-run with nothing deployed yet builds the tree the invoke would deploy first, and stores and moves nothing', async () => {
    const copy = createTestProject('tasks', { deployed: false });
    try {
      const planned = await copy.cli(['invoke', 'echo', '--dry-run', '--', '--count', '2']);
      expect(planned.code, planned.stderr).toBe(0);
      expect(planned.stderr).toMatch(
        /Nothing is deployed to stage local yet: invoke deploys the working tree first, as r-[0-9a-f]{12}\. This dry run built it, stored nothing/,
      );
      expect(planned.stderr).not.toContain('Deployed');
      expect(planned.stdout).toMatch(/^Would run echo on stage local:/m);
      expect(existsSync(join(copy.dir, '.cnf', 'local', 'releases'))).toBe(false);
      expect(existsSync(join(copy.dir, '.cnf', 'local', 'aliases.json'))).toBe(false);
      // and it refuses what the real invoke would: a task the tree does not have
      expect((await copy.cli(['invoke', 'nope', '--dry-run'])).code).toBe(64);
    } finally {
      await copy.cleanup();
    }
  });

  it('with autoDeploy false, runs the live release when the working tree differs, says so and how to deploy', async () => {
    const copy = createTestProject('tasks');
    try {
      const cdkJson = JSON.parse(readFileSync(join(copy.dir, 'cdk.json'), 'utf8')) as { context: { cnf: { stages?: object } } };
      cdkJson.context.cnf.stages = { ...cdkJson.context.cnf.stages, local: { autoDeploy: false } };
      writeFileSync(join(copy.dir, 'cdk.json'), JSON.stringify(cdkJson));
      const live = (JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string }).release;
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const touched = true;\n');
      const result = await copy.cli(['invoke', 'noop']);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`The working tree differs from the live release ${live} (lambda/tasks/noop.ts)`);
      expect(result.stderr).toContain('Deploy the tree with: cnf-admin deploy --stage local');
      expect(result.stderr).toContain(`release ${live}`);
      expect(result.stderr).not.toContain('Deployed');
      const deployed = JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string; previous: string; isNew: boolean };
      expect(deployed).toMatchObject({ previous: live, isNew: true });
      expect(deployed.release).not.toBe(live);
      const status = await copy.cli(['status']);
      expect(status.stdout).toContain(`web:live    ${deployed.release}`);
      expect(status.stdout).toContain('The working tree matches the live release.');
    } finally {
      await copy.cleanup();
    }
  });
});

describe('old releases', () => {
  it(`are removed by a deploy that stores a new one, beyond the ${KEPT_LOCAL_RELEASES} newest and those in use, and it says which`, async () => {
    // given a stage that holds its live release and 20 older ones, stored a year ago
    const own = createTestProject('tasks');
    try {
      const releases = join(own.dir, '.cnf', 'local', 'releases');
      const [live] = readdirSync(releases);
      const old = Array.from({ length: KEPT_LOCAL_RELEASES }, (_, n) => `r-0000000000${String(n).padStart(2, '0')}`);
      for (const [n, id] of old.entries()) {
        cpSync(join(releases, live!), join(releases, id), { recursive: true });
        const record = JSON.parse(readFileSync(join(releases, id, 'release.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(
          join(releases, id, 'release.json'),
          JSON.stringify({ ...record, release: id, createdAt: `2025-12-01T00:${String(n).padStart(2, '0')}:00.000Z` }),
        );
      }
      const noop = join(own.dir, 'lambda', 'tasks', 'noop.ts');
      // when a deploy stores a new release: 22 then, the live one before it among those in use
      writeFileSync(noop, readFileSync(noop, 'utf8').replace("'Does nothing'", "'Does nothing at all'"));
      const first = await own.cli(['deploy', '--json']);
      expect(first.code, first.stderr).toBe(0);
      // then the two oldest went, newest first, and no directory of theirs is left
      expect(JSON.parse(first.stdout)).toMatchObject({ isNew: true, pruned: [old[1], old[0]] });
      expect(readdirSync(releases).sort()).toEqual(expect.not.arrayContaining([old[0], old[1]]));
      expect(readdirSync(releases)).toHaveLength(KEPT_LOCAL_RELEASES);
      // and a deploy that prints what it did says so in one line
      writeFileSync(noop, readFileSync(noop, 'utf8').replace("'Does nothing at all'", "'Does nothing, still'"));
      const second = await own.cli(['deploy']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain(
        `Removed an old release nothing uses (${old[2]}): the local stage keeps its ${KEPT_LOCAL_RELEASES} newest and those in use.\n`,
      );
      expect((await own.cli(['releases'])).stdout).not.toContain(old[2]);
      // the newest is the live one, as --json says of each
      const listed = JSON.parse((await own.cli(['releases', '--json'])).stdout) as { release: string; aliases: string[] }[];
      expect(listed.map(({ aliases }) => aliases)).toEqual([['live'], ...listed.slice(1).map(() => [])]);
    } finally {
      await own.cleanup();
    }
  });
});

describe('serve', () => {
  it("redacts the stage's secure values from what the web handler writes, as from a run's output", async () => {
    const copy = createTestProject('tasks');
    try {
      const secret = 'web-secret-4be1c0';
      expect((await copy.cli(['config', 'set', 'WEB_TOKEN', secret, '--secure'])).code).toBe(0);
      writeFileSync(
        join(copy.dir, 'lambda', 'web.ts'),
        [
          "import { loadConfig } from 'cnf-admin/runtime/config';",
          'export async function handler(): Promise<{ statusCode: number; body: string }> {',
          '  const { values } = await loadConfig();',
          '  console.log(`web sees ${values.WEB_TOKEN}`);',
          '  console.error(new Error(`web failed with ${values.WEB_TOKEN}`));',
          "  return { statusCode: 200, body: 'ok' };",
          '}',
          '',
        ].join('\n'),
      );
      expect((await copy.cli(['deploy'])).code).toBe(0);
      const server = spawnCli(['serve', '--port', '0'], { cwd: copy.dir });
      const done = finished(server);
      let output = '';
      const url = await new Promise<string>((resolve) => {
        server.stderr?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const serving = / at (http:\/\/\S+);/.exec(output);
          if (serving?.[1] !== undefined) resolve(serving[1]);
        });
      });
      const seen = new Promise<void>((resolve) => {
        let text = '';
        server.stdout?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('web sees')) resolve();
        });
      });
      expect((await fetch(url)).status).toBe(200);
      await seen;
      server.kill('SIGTERM');
      const ended = await done;
      expect(ended.stdout + ended.stderr).toContain('web sees [redacted]');
      expect(ended.stdout + ended.stderr).toContain('web failed with [redacted]');
      expect(ended.stdout + ended.stderr).not.toContain(secret);
    } finally {
      await copy.cleanup();
    }
  });

  it('starts the web handler again after an exception nothing caught ended it, as Lambda starts a new environment, and says why in one line', async () => {
    const copy = createTestProject('tasks');
    try {
      writeFileSync(
        join(copy.dir, 'lambda', 'web.ts'),
        [
          'export async function handler(event: { rawPath: string }): Promise<{ statusCode: number; body: string }> {',
          "  if (event.rawPath === '/crash') setTimeout(() => { throw new Error('thrown where nothing catches it'); }, 0);",
          "  return { statusCode: 200, body: 'ok' };",
          '}',
          '',
        ].join('\n'),
      );
      expect((await copy.cli(['deploy'])).code).toBe(0);
      const server = startWatched(['serve', '--port', '0'], { cwd: copy.dir });
      await server.seen('Ctrl-C to stop');
      const url = / at (http:\/\/\S+);/.exec(server.output())?.[1] as string;
      expect((await fetch(new URL('/crash', url))).status).toBe(200);
      await server.seen('The web server process ended unexpectedly (its last lines are above); starting it again.');
      await server.seen('Ctrl-C to stop', 2);
      expect((await fetch(url)).status).toBe(200);
      server.child.kill('SIGTERM');
      const ended = await server.result;
      expect(ended.code).toBe(0);
      const output = ended.stdout + ended.stderr;
      expect(output).toContain('Uncaught exception');
      expect(output).toContain('thrown where nothing catches it');
      // Node's own report quotes the bundle's line where it came from: not shown
      expect(output).not.toContain('Node.js v');
    } finally {
      await copy.cleanup();
    }
  });

  it.each([
    [
      'throws as it loads',
      (source: string) => `${source}\nthrow new Error('web import boom');\n`,
      /^cnf-admin: The web entry lambda\/web\.ts of release r-[0-9a-f]{12} failed to load: web import boom\nFix lambda\/web\.ts, deploy it/,
    ],
    [
      'exports no handler function',
      (source: string) => source.replace('function handler(', 'function handlr('),
      /^cnf-admin: The web entry lambda\/web\.ts of release r-[0-9a-f]{12} exports no handler function, which the web function calls \(it exports: handlr\)\.\nExport it from lambda\/web\.ts/,
    ],
  ])('a web entry that %s: deploy succeeds, serve says so naming lambda/web.ts (65), never --host', async (_case, edit, message) => {
    const copy = createTestProject('tasks');
    try {
      const web = join(copy.dir, 'lambda', 'web.ts');
      writeFileSync(web, edit(readFileSync(web, 'utf8')));
      expect((await copy.cli(['deploy'])).code).toBe(0);
      const served = await copy.cli(['serve', '--port', '0']);
      expect(served.stderr).toMatch(message);
      expect(served.stderr).not.toContain('--host');
      expect(served.code).toBe(65);
    } finally {
      await copy.cleanup();
    }
  });

  it('goes on serving its release while the alias pair cannot be read, says so once, and follows the pair once it can', async () => {
    const copy = createTestProject('tasks');
    try {
      const server = startWatched(['serve', '--port', '0'], { cwd: copy.dir });
      await server.seen('Ctrl-C to stop');
      const url = / at (http:\/\/\S+);/.exec(server.output())?.[1] as string;
      // a hand edit of aliases.json, half done
      const aliases = join(copy.dir, '.cnf', 'local', 'aliases.json');
      const kept = readFileSync(aliases, 'utf8');
      writeFileSync(aliases, '{"live": {"web": "r-');
      await server.seen('until web:live can be read again.');
      expect((await fetch(url)).status).toBe(200);
      // mended, and moved by a deploy: it follows the pair again
      writeFileSync(aliases, kept);
      appendFileSync(join(copy.dir, 'lambda', 'web.ts'), '\nexport const changed = true;\n');
      const deployed = JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string };
      await server.seen(`web:live moved to ${deployed.release}; serving it now.`);
      server.child.kill('SIGTERM');
      const ended = await server.result;
      expect(ended.code).toBe(0);
      expect(ended.stderr.match(/can be read again/g)).toHaveLength(1);
      expect(ended.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await copy.cleanup();
    }
  });

  it('serves the web handler, and switches to the new release when a deploy moves the alias pair', async () => {
    const copy = createTestProject('tasks');
    try {
      expect((await copy.cli(['deploy'])).code).toBe(0);
      const server = spawnCli(['serve', '--port', '0', '--json'], { cwd: copy.dir });
      const done = finished(server);
      const where = await new Promise<{ url: string; release: string }>((resolve) => {
        let text = '';
        const read = (chunk: Buffer): void => {
          text += chunk.toString();
          if (!text.trim().endsWith('}')) return;
          server.stdout?.off('data', read);
          resolve(JSON.parse(text) as { url: string; release: string });
        };
        server.stdout?.on('data', read);
      });
      const served = async () => ((await (await fetch(where.url)).json()) as { release: string }).release;
      expect(await served()).toBe(where.release);
      appendFileSync(join(copy.dir, 'lambda', 'web.ts'), '\nexport const changed = true;\n');
      const deployed = JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string };
      expect(deployed.release).not.toBe(where.release);
      // The server may switch during any request: the kept-alive connection to the old one then closes.
      let release = await served().catch(() => where.release);
      for (let attempt = 0; attempt < 100 && release !== deployed.release; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        release = await served().catch(() => release);
      }
      expect(release).toBe(deployed.release);
      server.kill('SIGTERM');
      const ended = await done;
      expect(ended.code).toBe(0);
      expect(ended.stderr).toContain(`web:live moved to ${deployed.release}; serving it now.`);
      // With --json, stdout carries the one document, whatever happens after it.
      expect(JSON.parse(ended.stdout)).toEqual({ ...where, stage: 'local', alias: 'live' });
    } finally {
      await copy.cleanup();
    }
  });
});

describe('config', () => {
  it('sets, lists, gets and unsets parameters, never printing a secret', async () => {
    expect((await project.cli(['config', 'set', 'MODE', 'debug'])).code).toBe(0);
    expect((await project.cli(['config', 'set', 'API_TOKEN', '-', '--secure'], { input: 'tok-7f3a9\n' })).code).toBe(0);
    const listed = await project.cli(['config', 'list']);
    expect(listed.stdout).toMatch(/^API_TOKEN\s+\*{8}\s+secure$/m);
    expect(listed.stdout).toMatch(/^MODE\s+debug\s+plain$/m);
    expect(listed.stdout + listed.stderr).not.toContain('tok-7f3a9');
    expect((await project.cli(['config', 'get', 'MODE'])).stdout).toBe('debug\n');
    const secret = await project.cli(['config', 'get', 'API_TOKEN', '--json']);
    expect(JSON.parse(secret.stdout)).toEqual({ key: 'API_TOKEN', value: '********', secure: true });
    // a secure key set again without --secure: refused (64), not turned plain
    const plain = await project.cli(['config', 'set', 'API_TOKEN', 'tok-plain-1']);
    expect(plain.code).toBe(64);
    expect(plain.stderr).toContain('API_TOKEN is secure on stage local; without --secure its new value would be stored in plain text.');
    expect(plain.stderr).not.toContain('tok-plain-1');
    expect(JSON.parse((await project.cli(['config', 'get', 'API_TOKEN', '--json'])).stdout)).toMatchObject({ secure: true });
    // a run sees the value, and its log never shows it
    const run = await project.cli(['invoke', 'show-config', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ output: { keys: ['API_TOKEN', 'MODE'] } });
    expect(run.stderr).toContain('[redacted]');
    expect(run.stdout + run.stderr).not.toContain('tok-7f3a9');
    expect((await project.cli(['config', 'unset', 'MODE'])).code).toBe(0);
    const missing = await project.cli(['config', 'get', 'MODE']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('Stage local has no parameter MODE.');
    expect((await project.cli(['config', 'set', '_cnf/x', 'y'])).stderr).toContain('reserved _cnf/ prefix');
  });
});

describe('logs and runs', () => {
  it('follows a detached run to its end and exits with its exit code', async () => {
    const started = await project.cli(['invoke', 'exit-code', '--detach', '--', '--code', '5']);
    expect(started.code).toBe(0);
    const runId = started.stdout.trim();
    expect(started.stderr).toContain(`cnf-admin logs ${runId} --stage local --follow`);
    const followed = await project.cli(['logs', runId, '--follow']);
    expect(followed.code).toBe(5);
    expect(followed.stdout).toContain('Run started');
    expect(followed.stderr).toContain('✖ exit 5');
  });

  it('replays the whole log of a run', async () => {
    const runId = (JSON.parse((await project.cli(['invoke', 'echo', '--json', '--', '--count', '4'])).stdout) as { runId: string }).runId;
    const replay = await project.cli(['logs', runId]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('INFO  echo args={"count":4');
    expect((await project.cli(['logs', 'no-such-run'])).code).toBe(64);
  });

  it('shows the history: run id, task, exit code, duration, time, release and caller', async () => {
    const result = await project.cli(['runs', '--limit', '3'], { env: { COLUMNS: '180' } });
    expect(result.stdout).toMatch(/^RUN ID\s+TASK\s+ARGS\s+EXIT\s+TOOK\s+STARTED\s+RELEASE\s+CONFIG\s+SOURCE\s+BY$/m);
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
    // narrower, the release and the source give way before a run's args lose any of their text (docs/output.md)
    const narrower = await project.cli(['runs', '--limit', '3'], { env: { COLUMNS: '100' } });
    expect(narrower.stdout).not.toMatch(/RELEASE|CONFIG|SOURCE/);
    expect(narrower.stdout).toMatch(/^RUN ID\s+TASK\s+ARGS\s+EXIT\s+/m);
    const echoes = JSON.parse((await project.cli(['runs', '--task', 'echo', '--json'])).stdout) as RunRecord[];
    expect(echoes.length).toBeGreaterThan(0);
    expect(echoes.every((run) => run.task === 'echo' && run.source === 'cli' && run.release === release)).toBe(true);
    const shown = await project.cli(['runs', 'show', echoes[0]?.runId as string]);
    expect(shown.stdout).toMatch(/^config\s+v\d+ \(cfg-[0-9a-f]{12}\)$/m);
    expect(shown.stdout).toContain('Run ended');
    expect(readFileSync(echoes[0]?.log as string, 'utf8')).toContain('"task":"echo"');
  });
});

describe('help', () => {
  it('shows every command, and examples for each', async () => {
    const help = await project.cli(['--help']);
    for (const command of ['invoke', 'tasks', 'deploy', 'serve', 'config', 'logs', 'runs', 'status', 'releases'])
      expect(help.stdout).toContain(command);
    const invokeHelp = await project.cli(['invoke', '--help']);
    expect(invokeHelp.code).toBe(0);
    expect(invokeHelp.stdout).toContain('$ cnf-admin invoke <task> -- --<arg> <value> --<flag>');
    expect((await project.cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("adds examples written with the project's own tasks, from the live release's catalog", async () => {
    const invokeHelp = await project.cli(['invoke', '--help']);
    expect(invokeHelp.code).toBe(0);
    expect(invokeHelp.stdout).toContain(`In this project (release ${release}):`);
    expect(invokeHelp.stdout).toContain('$ cnf-admin invoke chatty -- --megabytes <integer>');
    // Task args after -- are the task's, not a request for help.
    expect((await project.cli(['invoke', 'echo', '--', '--help'])).code).toBe(64);
  });
});

describe('invokes at once after an edit', () => {
  it('all run: each deploys the tree first or waits for the one that does (no 75), and all run the same new release', async () => {
    appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const editedForParallelInvokes = true;\n');
    const invokes = await Promise.all([1, 2, 3].map(() => finished(spawnCli(['invoke', 'noop', '--json'], { cwd: project.dir }))));
    for (const invoked of invokes) expect(invoked.code, invoked.stderr).toBe(0);
    const releases = new Set(invokes.map((invoked) => (JSON.parse(invoked.stdout) as { release: string }).release));
    expect(releases.size).toBe(1);
    // and two config changes at once both land, one after the other
    const sets = await Promise.all(['A', 'B'].map((key) => project.cli(['config', 'set', `PARALLEL_${key}`, key])));
    for (const set of sets) expect(set.code, set.stderr).toBe(0);
  });
});
