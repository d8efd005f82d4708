/**
 * Damaged local state through the real binary: a corrupted ledger record, a
 * release whose bundle lost files, a run whose log is gone, a `.cnf` that is
 * not a directory or not writable, an unusable TMPDIR. Each ends with the
 * documented exit code and one clear line, never a stack and never a lie.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cliEnvironment, finished, outputShows, type CliResult } from '../support/cli.js';
import { localLogShows } from '../support/local-run-files.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { tempDir } from '../support/temp-dir.js';
import { startUi } from '../support/ui-process.js';

let project: TestProject;
const others: TestProject[] = [];

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

function expectClearError(result: CliResult, code: number, message: string | RegExp): void {
  expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr).not.toContain('failed unexpectedly');
  expect(result.code).toBe(code);
}

async function runId(result: CliResult): Promise<string> {
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { runId: string }).runId;
}

function freshProject(): TestProject {
  const created = createTestProject('tasks', { deployed: false });
  others.push(created);
  return created;
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
  for (const other of others) await other.cleanup();
});

describe('a corrupted ledger record', () => {
  it('"exitCode": "zero" is corrupted state (69) naming the file, not a run in progress for ever', async () => {
    // given a finished run whose record was edited by hand
    const id = await runId(await project.cli(['invoke', 'noop', '--json']));
    const file = join(project.dir, '.cnf', 'local', 'runs', `${id}.json`);
    const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...record, exitCode: 'zero', startedAt: 'not-a-date' }));
    try {
      // then every reader says so, naming the file and the fields
      for (const args of [['runs'], ['runs', 'show', id], ['logs', id]]) {
        const result = await project.cli(args);
        expectClearError(result, 69, `The run ledger's record ${file} is corrupted`);
        expect(result.stderr).toMatch(/startedAt: expected an ISO 8601 time; exitCode: Invalid input: expected number/);
        expect(result.stdout).not.toContain('in progress');
      }
      // and a retry of its run id is refused, runs nothing, and says why
      const retry = await project.cli(['invoke', 'noop', '--run-id', id]);
      expectClearError(retry, 69, 'is corrupted');
    } finally {
      writeFileSync(file, JSON.stringify(record));
    }
  });
});

describe('a damaged run record, each way', () => {
  it.each([
    [
      'an interruptedAt that is no time',
      (record: Record<string, unknown>) => JSON.stringify({ ...record, interruptedAt: 42 }),
      /interruptedAt: /,
    ],
    ['args that are a list', (record: Record<string, unknown>) => JSON.stringify({ ...record, args: ['x'] }), /args: /],
    ['no run id', ({ runId: _gone, ...record }: Record<string, unknown>) => JSON.stringify(record), /runId: /],
    ['a record that is null', () => 'null', /expected object/],
    [
      'a record cut short',
      (record: Record<string, unknown>) => JSON.stringify(record).slice(0, 20),
      /not valid JSON at line 1, column \d+/,
    ],
  ])('%s: runs, runs show and logs exit 69 naming the file and the field, never a TypeError', async (_what, damage, named) => {
    // given a finished run whose record is damaged
    const id = await runId(await project.cli(['invoke', 'noop', '--json']));
    const file = join(project.dir, '.cnf', 'local', 'runs', `${id}.json`);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, damage(JSON.parse(text) as Record<string, unknown>));
    try {
      for (const args of [['runs'], ['runs', 'show', id], ['logs', id], ['runs', '--json']]) {
        const result = await project.cli(args);
        expectClearError(result, 69, `The run ledger's record ${file} is corrupted`);
        expect(result.stderr).toMatch(named);
        expect(result.stderr).not.toMatch(/TypeError|a bug in cnf-admin/);
      }
    } finally {
      writeFileSync(file, text);
    }
  });
});

describe('a release whose bundle lost files', () => {
  it('is damaged: invoke exits 69 saying to deploy again, status says damaged, and a deploy repairs it', async () => {
    // given the live release with one of its task modules deleted
    const releases = join(project.dir, '.cnf', 'local', 'releases');
    const [release] = readdirSync(releases).filter((name) => name.startsWith('r-'));
    const bundle = join(releases, String(release), 'bundle');
    rmSync(join(bundle, 'admin.mjs'));
    // when a task is invoked, then nothing runs: the release is damaged
    const invoked = await project.cli(['invoke', 'noop']);
    expectClearError(invoked, 69, `Release ${release} is damaged: 1 of its`);
    expect(invoked.stderr).toContain('files are missing (admin.mjs)');
    expect(invoked.stderr).toContain('cnf-admin deploy --stage local');
    expect(invoked.stderr).not.toContain('▶');
    // and status says so, not that the working tree matches
    const status = await project.cli(['status']);
    expect(status.code).toBe(0);
    // (status fits its notes to the terminal's width: compare the words)
    expect(status.stdout.replace(/\s+/g, ' ')).toContain(`The live release ${release} is damaged`);
    expect(status.stdout).not.toContain('matches');
    // when the same sources are deployed again, then the release is whole and runs
    expect((await project.cli(['deploy'])).code).toBe(0);
    expect((await project.cli(['invoke', 'noop'])).code).toBe(0);
    expect((await project.cli(['status'])).stdout.replace(/\s+/g, ' ')).toContain('The working tree matches the live release.');
  });

  it('is missing altogether: status says so and that runs exit 69, never that the tree matches', async () => {
    // given the live release's directory moved away
    const releases = join(project.dir, '.cnf', 'local', 'releases');
    const aliases = JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'aliases.json'), 'utf8')) as { live: { web: string } };
    const release = aliases.live.web;
    const away = join(project.dir, 'moved-release');
    renameSync(join(releases, String(release)), away);
    try {
      const status = await project.cli(['status']);
      expect(status.code).toBe(0);
      expect(status.stdout.replace(/\s+/g, ' ')).toContain(`The live release ${release} is missing from .cnf/local/releases/.`);
      expect(status.stdout).not.toContain('matches');
      expectClearError(await project.cli(['invoke', 'noop']), 69, `no longer holds release "${release}"`);
    } finally {
      renameSync(away, join(releases, String(release)));
    }
  });

  it('a bundle file changed in place (same size or not) is damaged to status and to a run, which hash a file whose time changed', async () => {
    const releases = join(project.dir, '.cnf', 'local', 'releases');
    const [release] = readdirSync(releases).filter((name) => name.startsWith('r-'));
    const manifest = join(releases, String(release), 'bundle', 'manifest.json');
    const original = readFileSync(manifest);
    writeFileSync(manifest, Buffer.from(original.toString('utf8').replace(/[a-z]/, 'Z')));
    try {
      const status = await project.cli(['status']);
      expect(status.stdout.replace(/\s+/g, ' ')).toMatch(/is damaged: 1 changed since it was stored \(manifest\.json\)/);
      const invoked = await project.cli(['invoke', 'noop']);
      expectClearError(invoked, 69, `Release ${release} is damaged: 1 changed since it was stored (manifest.json)`);
      expect(invoked.stderr).not.toContain('▶');
    } finally {
      writeFileSync(manifest, original);
    }
  });
});

describe('an aliases.json of 150,000 alias pairs', () => {
  it('is listed by status, not an internal error (70) of too many arguments', async () => {
    const file = join(project.dir, '.cnf', 'local', 'aliases.json');
    const kept = readFileSync(file, 'utf8');
    const live = (JSON.parse(kept) as { live: { web: string; admin: string } }).live;
    const pairs: Record<string, { web: string; admin: string }> = { live };
    for (let index = 0; index < 150_000; index += 1) pairs[`canary${index}`] = live;
    writeFileSync(file, JSON.stringify(pairs));
    try {
      const status = await project.cli(['status']);
      expect(status.stderr).not.toContain('Maximum call stack size exceeded');
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`admin:canary149999  ${live.admin}`);
    } finally {
      writeFileSync(file, kept);
    }
  });
});

describe('a run whose log file is gone', () => {
  it('logs says the log is gone (69), never a clean ✔; runs show still shows the record', async () => {
    const id = await runId(await project.cli(['invoke', 'noop', '--json']));
    rmSync(join(project.dir, '.cnf', 'local', 'logs', `${id}.log`));
    const logs = await project.cli(['logs', id]);
    expectClearError(logs, 69, `The log of run ${id} is gone`);
    expect(logs.stderr).toContain('ended with exit 0');
    expect(logs.stderr).not.toContain('✔');
    const show = await project.cli(['runs', 'show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run      ${id}`);
    expect(show.stderr).toContain(`No log to show: The log of run ${id} is gone`);
    // a directory in its place is damaged state, not a log that is gone: named, with how to move it aside
    const inTheWay = join(project.dir, '.cnf', 'local', 'logs', `${id}.log`);
    mkdirSync(inTheWay);
    const damaged = await project.cli(['logs', id]);
    expectClearError(damaged, 69, `cnf-admin's state under .cnf/ is damaged: ${inTheWay} is a directory, where a file must be (EISDIR).`);
    expect(damaged.stderr).toContain(`Move it aside (mv ${inTheWay} ${inTheWay}.damaged)`);
  });
});

describe('a record of a run that goes on in another copy of the project', () => {
  it('stop refuses it (64), naming that copy, and stops nothing there; the copy itself stops it', async () => {
    // given a run going on in the project, and its record copied into another copy's ledger (cp -a of the project)
    const id = await runId(await project.cli(['invoke', 'wait-for-stop', '--detach', '--json']));
    await localLogShows(project.dir, id, 'waiting for a stop');
    const record = join(project.dir, '.cnf', 'local', 'runs', `${id}.json`);
    const copy = freshProject();
    mkdirSync(join(copy.dir, '.cnf', 'local', 'runs'), { recursive: true });
    writeFileSync(join(copy.dir, '.cnf', 'local', 'runs', `${id}.json`), readFileSync(record));
    // when the copy is asked to stop it
    const refused = await copy.cli(['stop', id]);
    // then it says whose run it is, and where to stop it
    expectClearError(refused, 64, `Run ${id} runs in another copy of the project, ${project.dir}`);
    expect(refused.stderr).toContain(`cd ${project.dir} && cnf-admin stop ${id}`);
    expect(refused.stderr).not.toContain('Stopping run');
    // and the run goes on where it runs, which stops it
    expect((await project.cli(['runs', 'show', id])).stdout).toMatch(/^exit\s+running$/m);
    const stopped = await project.cli(['stop', id]);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain(`Run ${id} stopped · exit 130`);
  });
});

let fullDiskAttempts = 0;

describe('a run whose log cannot be written (a full disk)', () => {
  it('goes on and ends as the task ended, shows its output whole, and says the log could not be written; the ledger records the end', async () => {
    // /dev/full takes the file's open and refuses every write with ENOSPC, as a full disk does.
    // A run id of its own for each attempt: a retry must not meet the first attempt's run and log.
    const runId = `full-disk-run-${(fullDiskAttempts += 1)}`;
    mkdirSync(join(project.dir, '.cnf', 'local', 'logs'), { recursive: true });
    symlinkSync('/dev/full', join(project.dir, '.cnf', 'local', 'logs', `${runId}.log`));
    const result = await project.cli(['invoke', 'echo', '--run-id', runId, '--', '--count', '2']);
    expectClearError(result, 0, "The run's log could not be written (no space left on the device, ENOSPC)");
    expect(result.stdout).toContain('count: 2');
    const shown = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as {
      exitCode?: number;
      error?: unknown;
    };
    expect(shown).toMatchObject({ exitCode: 0 });
    expect(shown.error).toBeUndefined();
  });
});

describe('a run whose end cannot be recorded in the ledger', () => {
  it("ends with the task's exit code and says the ledger could not record it, rather than a silent success", async () => {
    const broken = createTestProject('tasks');
    others.push(broken);
    const runId = 'end-not-recorded';
    const child = spawn(process.execPath, [CLI_BIN, 'invoke', 'sleep', '--run-id', runId, '--', '--ms', '600'], {
      cwd: broken.dir,
      env: cliEnvironment(),
    });
    const done = finished(child);
    await outputShows(child, 'Run started');
    // its record turned into a directory while it runs: neither the run nor the platform can write its end there
    const record = join(broken.dir, '.cnf', 'local', 'runs', `${runId}.json`);
    rmSync(record);
    mkdirSync(join(record, 'in-the-way'), { recursive: true });
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("The run's end could not be recorded in the ledger (");
    expect(result.stderr).toContain('although it ended with exit 0');
    // A directory in the way is neither a full disk nor a read-only one: no advice about space or modes.
    expect(result.stderr).not.toMatch(/Free some space|writable/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a .cnf removed while a run goes on', () => {
  it("ends with the task's exit code and says the run's record is gone, rather than a silent success", async () => {
    const removed = createTestProject('tasks');
    others.push(removed);
    const child = spawn(process.execPath, [CLI_BIN, 'invoke', 'sleep', '--', '--ms', '600'], { cwd: removed.dir, env: cliEnvironment() });
    const done = finished(child);
    await outputShows(child, 'Run started');
    rmSync(join(removed.dir, '.cnf'), { recursive: true, force: true });
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain("The run's record is gone from the ledger");
    expect(result.stderr.replace(/\s+/g, ' ')).toContain('runs does not list this run, which ended with exit 0, as above.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a log that was not written whole', () => {
  it('logs shows what it holds, says it ends before the run did, then the end the ledger records', async () => {
    const runId = 'log-cut-short';
    expect((await project.cli(['invoke', 'echo', '--run-id', runId, '--', '--count', '1'])).code).toBe(0);
    const log = join(project.dir, '.cnf', 'local', 'logs', `${runId}.log`);
    // as a full disk leaves it: its first line, and nothing after
    writeFileSync(log, `${readFileSync(log, 'utf8').split('\n')[0] ?? ''}\n`);
    const shown = await project.cli(['logs', runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Run started');
    expect(shown.stderr).toContain(`The log of run ${runId} ends before the run did: it was not written whole`);
    expect(shown.stderr).toMatch(/✔ exit 0/);
    // a whole log says nothing of the kind
    expect((await project.cli(['invoke', 'noop', '--run-id', 'log-whole'])).code).toBe(0);
    const whole = await project.cli(['logs', 'log-whole']);
    expect(whole.stdout).toContain('Run ended');
    expect(whole.stderr).not.toContain('ends before the run did');
  });
});

describe('a parameter set whose live version is not there', () => {
  it('is corrupted state (69) naming the file, for a run, a config change and a read of the runs, and nothing runs or records v999', async () => {
    const damaged = freshProject();
    expect((await damaged.cli(['deploy'])).code).toBe(0);
    const file = join(damaged.dir, '.cnf', 'local', 'parameters.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), live: 999 }));
    // runs and logs too: read back unmasked, a run would show a value made secure after it ran
    for (const args of [['invoke', 'noop'], ['config', 'set', 'A', 'b'], ['runs'], ['runs', '--json']]) {
      expectClearError(
        await damaged.cli(args),
        69,
        new RegExp(`${file.replaceAll('.', '\\.')}.*live: must name one of the config versions that "versions" holds`, 's'),
      );
    }
    const runs = join(damaged.dir, '.cnf', 'local', 'runs');
    expect(existsSync(runs) ? readdirSync(runs).filter((name) => name.endsWith('.json')) : []).toEqual([]);
  });
});

describe('a parameter set damaged while a run goes on', () => {
  it('leaves the run stoppable, while runs and logs, which would show it unmasked, stop with 69', async () => {
    const damaged = createTestProject('tasks');
    others.push(damaged);
    const child = spawn(process.execPath, [CLI_BIN, 'invoke', 'wait-for-stop', '--run-id', 'stop-me'], {
      cwd: damaged.dir,
      env: cliEnvironment(),
    });
    const done = finished(child);
    await outputShows(child, 'waiting for a stop');
    const file = join(damaged.dir, '.cnf', 'local', 'parameters.json');
    writeFileSync(file, '{damaged');
    for (const args of [['runs'], ['logs', 'stop-me']]) expectClearError(await damaged.cli(args), 69, 'parameters.json');
    const stop = await damaged.cli(['stop', 'stop-me']);
    expect(stop.code, stop.stderr).toBe(0);
    expect((await done).code).toBe(130);
  });
});

describe('a .cnf that is not a usable directory', () => {
  it.each([
    ['a file', (dir: string) => writeFileSync(join(dir, '.cnf'), 'oops'), 'a file'],
    ['a symbolic link to /dev/null', (dir: string) => symlinkSync('/dev/null', join(dir, '.cnf')), 'a device'],
  ])('.cnf that is %s: 69 naming it, for every command', async (_case, make, kind) => {
    const broken = freshProject();
    make(broken.dir);
    for (const args of [['invoke', 'noop'], ['deploy'], ['runs'], ['config', 'set', 'A', 'b']]) {
      expectClearError(await broken.cli(args), 69, `The local stage keeps its state in ${join(broken.dir, '.cnf')}, but that is ${kind}`);
    }
  });

  it('.cnf that is a file: 69 for db status and db stop too, which start nothing', async () => {
    const notes = createTestProject('notes', { deployed: false });
    try {
      writeFileSync(join(notes.dir, '.cnf'), 'not a directory');
      for (const args of [
        ['db', 'status'],
        ['db', 'stop'],
      ]) {
        expectClearError(await notes.cli(args), 69, `The local stage keeps its state in ${join(notes.dir, '.cnf')}, but that is a file`);
      }
    } finally {
      rmSync(join(notes.dir, '.cnf'), { force: true });
      await notes.cleanup();
    }
  });

  it('a .cnf the user cannot write: 77 naming the path, and nothing ran', async () => {
    // given a project whose state belongs to another user (root made it; the CLI runs as nobody)
    const shared = freshProject();
    const id = await runId(await shared.cli(['invoke', 'noop', '--json']));
    // everything on the way to the project readable by nobody, the state itself writable only by root
    for (let dir = shared.dir; dir !== tmpdir() && dir !== dirname(dir); dir = dirname(dir)) chmodSync(dir, 0o755);
    const asNobody = spawn(process.execPath, [CLI_BIN, 'invoke', 'noop'], {
      cwd: shared.dir,
      env: cliEnvironment({ HOME: tempDir('cnf-nobody-home') }),
      uid: 65534,
      gid: 65534,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await finished(asNobody);
    // then it says which path it cannot use, with 77: first the parameter file, which holds secrets and is its owner's only (0600)
    expectClearError(
      result,
      77,
      `Cannot read the local stage's state at ${join(shared.dir, '.cnf', 'local', 'parameters.json')}: permission denied (EACCES).`,
    );
    expect(result.stderr).not.toContain("Unhandled 'error' event");
    // and the ledger holds only the run that happened
    const runs = JSON.parse((await shared.cli(['runs', '--json'])).stdout) as { runId: string }[];
    expect(runs.map((run) => run.runId)).toEqual([id]);
  });
});

describe('state under .cnf/ that is not the shape it must be', () => {
  it.each([
    ['local/runs', 'a file', [['runs'], ['runs', 'show', 'last'], ['logs', 'last'], ['invoke', 'noop']]],
    ['local/releases', 'a file', [['status'], ['releases'], ['tasks'], ['deploy']]],
    ['local/locks', 'a file', [['deploy'], ['config', 'set', 'A', 'b'], ['invoke', 'noop']]],
    ['notices.json', 'a directory', [['invoke', 'noop']]],
    [
      'local/logs',
      'a file',
      [
        ['logs', 'last'],
        ['logs', 'last', '--follow'],
      ],
    ],
  ])('.cnf/%s that is %s: 69 naming it and saying to move it aside, for every command that reads it', async (name, kind, commands) => {
    // given a deployed project, with a run, whose state has something of the wrong kind in place of one of its parts
    const broken = createTestProject('tasks');
    others.push(broken);
    expect((await broken.cli(['invoke', 'noop'])).code).toBe(0);
    const path = join(broken.dir, '.cnf', name);
    rmSync(path, { recursive: true, force: true });
    if (kind === 'a file') writeFileSync(path, 'x');
    else mkdirSync(path);
    // then each command says what is in the way, and what to do
    for (const args of commands) {
      const result = await broken.cli(args);
      expectClearError(result, 69, `cnf-admin's state under .cnf/ is damaged: ${path} is ${kind}, where a`);
      expect(result.stderr).toContain(`mv ${path} ${path}.damaged`);
    }
  });
});

describe('state under .cnf/ that is not the shape it must be, seen by the ui', () => {
  it("answers the page's request for the runs with 409 and the CLI's words, not a 500 and a stack on the terminal", async () => {
    // given a ui serving a project whose .cnf/local/runs became a file
    const broken = createTestProject('tasks');
    others.push(broken);
    const runs = join(broken.dir, '.cnf', 'local', 'runs');
    rmSync(runs, { recursive: true, force: true });
    writeFileSync(runs, 'x');
    const ui = await startUi(broken.dir);
    try {
      // when the page asks for the runs
      const response = await fetch(`${ui.origin}/api/runs`, { headers: { 'x-cnf-token': ui.token } });
      // then it is told what is in the way, and what to do
      expect(response.status).toBe(409);
      const body = (await response.json()) as { error: string; exitCode: number; hint: string };
      expect(body).toMatchObject({
        exitCode: 69,
        error: `cnf-admin's state under .cnf/ is damaged: ${runs} is a file, where a directory must be (ENOTDIR).`,
      });
      expect(body.hint).toContain(`mv ${runs} ${runs}.damaged`);
      expect(ui.output()).not.toMatch(STACK_FRAME);
    } finally {
      await ui.stop();
    }
  });
});

describe('an unusable TMPDIR', () => {
  it.each([
    ['missing', () => join(tempDir('cnf-tmp'), 'gone'), 'it does not exist'],
    [
      'a file',
      () => {
        const file = join(tempDir('cnf-tmp'), 'file');
        writeFileSync(file, '');
        return file;
      },
      'not a directory',
    ],
  ])('%s: one line says so, /tmp serves instead, and deploy and invoke work', async (_case, make, problem) => {
    const tmp = make();
    const env = { TMPDIR: tmp };
    const fresh = freshProject();
    const deployed = await fresh.cli(['deploy'], { env });
    expect(deployed.stderr).toContain(`TMPDIR=${tmp} is not usable (${problem}); using /tmp instead.`);
    expect(deployed.stderr).not.toMatch(STACK_FRAME);
    expect(deployed.code).toBe(0);
    expect((await fresh.cli(['invoke', 'noop'], { env })).code).toBe(0);
  });
});
