/**
 * A release is its code and its config, on the local stage, through the real
 * binary: config versions, runs of older releases with their pinned config,
 * rollback and roll forward, the release phase, the ledger, and the stage lock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { localRollbackPin } from '../../lib/platform/local/local-live-pair.js';
import { finished, spawnCli, startWatched } from '../support/cli.js';
import { localRunEnded } from '../support/local-run-files.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { runInTerminal } from '../support/terminal.js';

let project: TestProject;
let first: string;
let second: string;

async function deploy(): Promise<string> {
  const deployed = await project.cli(['deploy', '--json']);
  expect(deployed.code).toBe(0);
  return (JSON.parse(deployed.stdout) as { release: string }).release;
}

async function set(key: string, value: string, ...flags: string[]): Promise<number> {
  const result = await project.cli(['config', 'set', key, value, '--json', ...flags]);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { configVersion: number }).configVersion;
}

/** The live pair as `status --json` reports it. */
async function livePair(): Promise<{ release: string; config: number }> {
  const status = JSON.parse((await project.cli(['status', '--json'])).stdout) as {
    aliases: { name: string; web: { release: string } }[];
    config: number;
  };
  return { release: status.aliases.find((pair) => pair.name === 'live')?.web.release ?? '', config: status.config };
}

/** The config a run of show-config saw, from its log line. */
async function configSeen(...args: string[]): Promise<{ config: Record<string, string>; runId: string; stderr: string }> {
  const result = await project.cli(['invoke', 'show-config', '--json', ...args]);
  expect(result.code).toBe(0);
  const line = /config is (\{.*\})/.exec(result.stderr)?.[1] ?? '{}';
  return {
    config: JSON.parse(line) as Record<string, string>,
    runId: (JSON.parse(result.stdout) as { runId: string }).runId,
    stderr: result.stderr,
  };
}

function setReleasePhase(task: string | undefined): void {
  const file = join(project.dir, 'cdk.json');
  const cdk = JSON.parse(readFileSync(file, 'utf8')) as { context: { cnf: { stages: { local: Record<string, unknown> } } } };
  if (task === undefined) delete cdk.context.cnf.stages.local.releasePhase;
  else cdk.context.cnf.stages.local.releasePhase = task;
  writeFileSync(file, JSON.stringify(cdk, null, 2));
}

beforeAll(async () => {
  project = createTestProject('tasks');
  first = await deploy(); // config v1
  expect(await set('GREETING', 'one')).toBe(2);
  appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const second = 2;\n');
  second = await deploy();
  expect(second).not.toBe(first);
  expect(await set('GREETING', 'two')).toBe(3);
  expect(await set('API_TOKEN', 'tok-very-secret', '--secure')).toBe(4);
});

afterAll(async () => {
  await project.cleanup();
});

describe('config versions', () => {
  it('config set says which version is live; history lists them newest first, with KEY only those that changed it', async () => {
    const result = await project.cli(['config', 'set', 'LOG_LEVEL', 'debug']);
    expect(result.stderr).toContain('Set LOG_LEVEL on stage local: config v5 is live now, for web and admin together.');
    const history = await project.cli(['config', 'history'], { env: { COLUMNS: '200' } });
    expect(history.stdout).toMatch(/^v5 \(live\)\s+\S+ \S+\s+set\s+LOG_LEVEL/m);
    expect(history.stdout.indexOf('v5 (live)')).toBeLessThan(history.stdout.indexOf('v1 '));
    const greeting = JSON.parse((await project.cli(['config', 'history', 'GREETING', '--json'])).stdout) as {
      versions: { version: number }[];
    };
    expect(greeting.versions.map((version) => version.version)).toEqual([3, 2]);
    expect((await project.cli(['config', 'unset', 'LOG_LEVEL'])).stderr).toContain('config v6 is live now');
  });

  it('config diff shows plain values and only changed/unchanged for a secure one', async () => {
    const diff = await project.cli(['config', 'diff', 'v2', 'v4']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('~ GREETING: one -> two');
    expect(diff.stdout).toContain('+ API_TOKEN (secure): added');
    expect(diff.stdout).not.toContain('tok-very-secret');
    const bad = await project.cli(['config', 'diff', 'v2', 'v99']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('Stage local has no config v99 (it has v1 to v6)');
  });

  it('config rollback vN makes a new version equal to vN, live at once', async () => {
    const result = await project.cli(['config', 'rollback', 'v3']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Made config v7 equal to v3');
    expect(result.stderr).toContain('- API_TOKEN (secure): removed');
    expect((await configSeen()).config).toEqual({ GREETING: 'two' });
    expect((await project.cli(['config', 'rollback', 'v4'])).stderr).toContain('Made config v8 equal to v4');
    // to the values that are live already: no version that changes nothing
    const again = await project.cli(['config', 'rollback', 'v4']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Config v8, which is live, already holds the values of v4; no version made.');
    expect(JSON.parse((await project.cli(['config', 'rollback', 'v8', '--json'])).stdout)).toMatchObject({
      configVersion: 8,
      changed: false,
    });
  });
});

describe('runs carry their config', () => {
  it('an older release runs with its pinned config; --config current with the live one; the plan says which', async () => {
    const pinned = await configSeen('--release', first);
    expect(pinned.config).toEqual({ GREETING: 'one' });
    expect(pinned.stderr).toContain(`release ${first} · config v2 (pinned)`);
    const record = JSON.parse((await project.cli(['runs', 'show', pinned.runId, '--json'])).stdout) as RunRecord;
    expect(record.configVersion).toBe(2);
    const current = await configSeen('--release', first, '--config', 'current');
    expect(current.config).toEqual({ GREETING: 'two', API_TOKEN: '[redacted]' });
    const dry = await project.cli(['invoke', 'show-config', '--release', first, '--dry-run']);
    expect(dry.stdout).toMatch(/^ {2}config {3}v2 \(pinned\)$/m);
    const shown = await project.cli(['runs', 'show', pinned.runId]);
    expect(shown.stdout).toMatch(/^config\s+v2 \(cfg-[0-9a-f]{12}\)$/m);
  });

  it('a detached run of an older release runs with the config its plan named: pinned, or --config current the live one', async () => {
    const live = await livePair();
    for (const [flags, expected] of [
      [[], 2],
      [['--config', 'current'], live.config],
    ] as const) {
      const started = await project.cli(['invoke', 'show-config', '--release', first, ...flags, '--detach', '--json']);
      expect(started.code, flags.join(' ')).toBe(0);
      const { runId } = JSON.parse(started.stdout) as { runId: string };
      expect((await project.cli(['logs', runId, '--follow'])).code).toBe(0);
      const record = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as RunRecord;
      expect(record.configVersion, flags.join(' ')).toBe(expected);
    }
  });

  it('a console against an older release reads its pinned config too, and --config current the live one', async () => {
    const evaluate = async (...target: string[]): Promise<{ output: { result: unknown }; runId: string }> => {
      const result = await project.cli(['console', ...target, '-e', 'config.GREETING', '--json']);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as { output: { result: unknown }; runId: string };
    };
    const pinned = await evaluate('--release', first);
    expect(pinned.output.result).toBe('one');
    const record = JSON.parse((await project.cli(['runs', 'show', pinned.runId, '--json'])).stdout) as RunRecord;
    expect(record.configVersion).toBe(2);
    expect((await evaluate('--release', first, '--config', 'current')).output.result).toBe('two');
    expect((await evaluate()).output.result).toBe('two');
    const alone = await project.cli(['console', '--config', 'current', '-e', '1']);
    expect(alone.code).toBe(64);
    expect(alone.stderr).toContain('--config picks the config of a --release');
    expect(alone.stderr).toContain('Name the release too (--release r-…; cnf-admin releases lists them), or leave out --config.');
  });

  it('a --run-id retried on another release and config says that its outcome is the earlier run, not the planned pair', async () => {
    const live = await livePair();
    const ran = await project.cli(['invoke', 'noop', '--run-id', 'retried-elsewhere']);
    expect(ran.code).toBe(0);
    expect(ran.stderr).not.toContain('ran earlier');
    const retried = await project.cli(['invoke', 'noop', '--release', first, '--run-id', 'retried-elsewhere']);
    expect(retried.code).toBe(0);
    expect(retried.stderr).toContain(`release ${first} · config v2 (pinned) · run retried-elsewhere`);
    expect(retried.stderr.replace(/\s+/g, ' ')).toContain(
      `Run retried-elsewhere ran earlier, on ${live.release} · config v${live.config}, not on ${first} · config v2 as planned above: this is that run's outcome; nothing ran again.`,
    );
  });

  it('refuses --config without --release, and a --config it does not know', async () => {
    const alone = await project.cli(['invoke', 'show-config', '--config', 'current']);
    expect(alone.code).toBe(64);
    expect(alone.stderr).toContain('--config picks the config of a --release');
    expect(alone.stderr).toContain('Name the release too (--release r-…; cnf-admin releases lists them), or leave out --config.');
    const unknown = await project.cli(['invoke', 'show-config', '--release', first, '--config', 'latest']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('--config takes pinned or current, got: "latest"');
  });
});

describe('rollback', () => {
  it('--dry-run plans from and to, code and config, with the per-key diff, and moves nothing', async () => {
    const before = await livePair();
    const dry = await project.cli(['rollback', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Roll back stage local from ${second} · config v8 to ${first} · config v2`);
    expect(dry.stdout).toContain('~ GREETING: two -> one');
    expect(dry.stdout).toContain('- API_TOKEN (secure): removed');
    expect(dry.stdout).toContain('Nothing moved (--dry-run).');
    expect(await livePair()).toEqual(before);
  });

  it('needs --yes without a terminal, and moves nothing then', async () => {
    const refused = await project.cli(['rollback']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain("cnf-admin: A rollback moves stage local's web and admin; confirm it with --yes.");
    expect(await livePair()).toEqual({ release: second, config: 8 });
  });

  it('at its terminal prompt, a Ctrl-C is 130 and a Ctrl-D is no: one line each, no stack trace, and nothing moves', async () => {
    const before = await livePair();
    for (const [key, code, said] of [
      ['\u0003', 130, 'Interrupted: nothing moved.'],
      ['\u0004', 0, 'Nothing moved.'],
    ] as const) {
      const shown = await runInTerminal(['rollback'], {
        cwd: project.dir,
        answers: [{ when: 'Type yes to confirm: ', keys: key, enter: false }],
      });
      const screen = shown.screen.join('\n');
      expect(shown.code, screen).toBe(code);
      expect(screen).toContain(said);
      expect(screen).not.toMatch(/\n\s+at |failed unexpectedly|AbortError/);
    }
    expect(await livePair()).toEqual(before);
  });

  it('with --json at its terminal prompt, shows the plan it asks about on stderr, and a no still prints its one document', async () => {
    const before = await livePair();
    const stdoutFile = join(project.dir, 'rollback-stdout.json');
    const shown = await runInTerminal(['rollback', '--json'], {
      cwd: project.dir,
      stdoutFile,
      answers: [{ when: 'Type yes to confirm: ', keys: 'no' }],
    });
    const screen = shown.screen.join('\n');
    expect(shown.code, screen).toBe(0);
    expect(screen).toContain(`Roll back stage local from ${before.release} · config v${before.config} to`);
    expect(screen).toContain('Nothing moved.');
    expect(JSON.parse(readFileSync(stdoutFile, 'utf8'))).toMatchObject({ stage: 'local', from: before, moved: false });
    expect(await livePair()).toEqual(before);
  });

  it('refuses a release id it cannot read, naming the flag', async () => {
    const bad = await project.cli(['rollback', '--to', 'yesterday', '--yes']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--to takes a release id (r- and 12 hex digits) or "previous", got: "yesterday"');
    expect(bad.stderr).toContain('Name a release by its whole id: cnf-admin releases --stage local lists them.');
    // the start of an id, in another case, and previous begun: each said as what it may have meant, and nothing moves
    // (the live release, second, is no target: first is what the start of an id is taken for)
    for (const [typed, meant] of [
      [first.slice(0, 8), first],
      [first.toUpperCase(), first],
      ['prev', 'previous'],
    ] as const) {
      const guessed = await project.cli(['rollback', '--to', typed, '--yes']);
      expect(guessed.code).toBe(64);
      expect(guessed.stderr).toContain(`Did you mean ${meant}? cnf-admin rollback --to ${meant} --stage local`);
    }
    const gone = await project.cli(['rollback', '--to', 'r-000000000000', '--yes']);
    expect(gone.code).toBe(69);
    expect(gone.stderr).toContain('Cannot roll back to r-000000000000: the stage has no such release: it was never deployed here');
  });

  it('says a release that was live once, whose bundle is gone, is no longer held', async () => {
    const copy = createTestProject('tasks');
    try {
      const older = (JSON.parse((await copy.cli(['deploy', '--json'])).stdout) as { release: string }).release;
      appendFileSync(join(copy.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const newer = 1;\n');
      expect((await copy.cli(['deploy'])).code).toBe(0);
      // Its record moved aside, as the error for a damaged one says to: the record is what is gone, and said so.
      const record = join(copy.dir, '.cnf', 'local', 'releases', older, 'release.json');
      renameSync(record, `${record}.damaged`);
      const recordGone = await copy.cli(['rollback', '--to', older, '--yes']);
      expect(recordGone.code).toBe(69);
      expect(recordGone.stderr.replace(/\s+/g, ' ')).toContain(
        `Cannot roll back to ${older}: its record, .cnf/local/releases/${older}/release.json, is gone`,
      );
      rmSync(join(copy.dir, '.cnf', 'local', 'releases', older), { recursive: true });
      const result = await copy.cli(['rollback', '--to', older, '--yes']);
      expect(result.code).toBe(69);
      expect(result.stderr).toContain(`Cannot roll back to ${older}: the stage no longer holds its bundle`);
      // and a run of it says the same, not that the name was never known
      const invoked = await copy.cli(['invoke', 'noop', '--release', older]);
      expect(invoked.code).toBe(69);
      expect(invoked.stderr).toContain(
        `The local stage no longer holds release "${older}", which the live pair has served (.cnf/local/releases/${older} is gone)`,
      );
    } finally {
      await copy.cleanup();
    }
  });

  it('moves web and admin with the pinned config, records a cnf:rollback run once per run id, and pins the stage', async () => {
    // a secure value typed into the reason is kept out of the ledger and the pair's history
    const done = await project.cli(['rollback', '--yes', '--reason', 'errors after deploy with tok-very-secret', '--run-id', 'rb-1']);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`Rolled back stage local to ${first} · config v2 (run rb-1)`);
    expect(await livePair()).toEqual({ release: first, config: 2 });
    // The working tree is the newer release, yet an invoke runs the one rolled back to, and says so in one line.
    const seen = await configSeen();
    expect(seen.config).toEqual({ GREETING: 'one' });
    expect(seen.stderr).toContain(`Stage local stays on ${first} (rolled back by run rb-1) until the next cnf-admin deploy`);
    expect(seen.stderr).not.toContain('Deployed the working tree');
    const record = JSON.parse((await project.cli(['runs', 'show', 'rb-1', '--json'])).stdout) as RunRecord;
    expect(record).toMatchObject({
      task: 'cnf:rollback',
      exitCode: 0,
      args: { from: `${second} · config v8`, to: `${first} · config v2`, reason: 'errors after deploy with [redacted]', config: 'pinned' },
    });
    expect(readFileSync(join(project.dir, '.cnf', 'local', 'runs', 'rb-1.json'), 'utf8')).not.toContain('tok-very-secret');
    // It writes no log: logs says so and shows its end; runs show does not call its log gone.
    const logs = await project.cli(['logs', 'rb-1']);
    expect(logs.code).toBe(0);
    expect(logs.stderr).toContain('Run rb-1 is a rollback, which writes no log of its own');
    expect(logs.stderr).toMatch(/exit 0/);
    const shown = await project.cli(['runs', 'show', 'rb-1']);
    expect(shown.stderr).not.toContain('gone');
    // the record is right above: the line points to it, not to runs show itself
    expect(shown.stderr).toContain('Run rb-1 is a rollback, which writes no log of its own: its record above says what it did.');
    const { pairs } = JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'parameters.json'), 'utf8')) as {
      pairs: { reason?: string }[];
    };
    expect(pairs.map((move) => move.reason).filter((reason) => reason !== undefined)).toEqual(['errors after deploy with [redacted]']);
    // a deadline, after which a record left without an end reads as lost where no reader can see its process (AWS)
    expect(Date.parse(record.deadline ?? '') - Date.parse(record.startedAt)).toBe(60 * 60 * 1000);
    expect(await localRollbackPin({ stateDir: join(project.dir, '.cnf') })).toMatchObject({ release: first, config: 2, runId: 'rb-1' });
    const status = await project.cli(['status']);
    expect(status.stdout).toContain(`web:live    ${first} · config v2`);
    expect(status.stdout).toMatch(/stays on\s+r-[0-9a-f]{12}\s+until\s+the next cnf-admin deploy/);
    // config history says where an earlier version went live again: read top to bottom, it gives the live values
    const history = await project.cli(['config', 'history'], { env: { COLUMNS: '200' } });
    // (live) marks the rollback's row, the newest that left v2 live, not v2's own row below
    expect(history.stdout).toMatch(new RegExp(`^→ v2 \\(live\\)\\s+\\S+ \\S+\\s+rollback\\s+v2 live again, with ${first}\\s`, 'm'));
    expect(history.stdout).toMatch(/^v2 {2,}/m);
    // with a KEY, the rollback shows where it changed that key: GREETING went back to v2's value
    const greeting = await project.cli(['config', 'history', 'GREETING'], { env: { COLUMNS: '200' } });
    expect(greeting.stdout).toMatch(/^→ v2 \(live\)\s+\S+ \S+\s+rollback/m);
    const untouched = await project.cli(['config', 'history', 'LOG_LEVEL'], { env: { COLUMNS: '200' } });
    expect(untouched.stdout).not.toContain('→');
    expect(history.stdout.indexOf('→ v2')).toBeLessThan(history.stdout.indexOf('\nv8 '));
    const listed = JSON.parse((await project.cli(['config', 'history', '--json'])).stdout) as {
      rollbacks: { config: number; release: string }[];
    };
    expect(listed.rollbacks).toEqual([expect.objectContaining({ config: 2, release: first })]);

    const again = await project.cli(['rollback', '--to', first, '--yes', '--run-id', 'rb-1']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      `Run rb-1 happened already (cnf:rollback: from ${second} · config v8 to ${first} · config v2, exit 0); nothing moved again.`,
    );
    expect(again.stdout + again.stderr).not.toContain('Roll back stage');
    expect(await livePair()).toEqual({ release: first, config: 2 });
    // the same run id for another rollback: 64, as for an invoke with other args
    const other = await project.cli(['rollback', '--to', second, '--yes', '--run-id', 'rb-1']);
    expect(other.code).toBe(64);
    expect(other.stderr).toContain(`Run id rb-1 already names a rollback to ${first}, not ${second}; nothing moved.`);
    expect(await livePair()).toEqual({ release: first, config: 2 });
  });

  it('rolls forward with --to, and --config current keeps the live config', async () => {
    const forward = await project.cli(['rollback', '--to', second, '--config', 'current', '--yes']);
    expect(forward.code).toBe(0);
    expect(await livePair()).toEqual({ release: second, config: 2 });
  });

  it('a deploy after a rollback rolls forward and ends the pin', async () => {
    await project.cli(['rollback', '--to', first, '--yes']);
    expect(await localRollbackPin({ stateDir: join(project.dir, '.cnf') })).toBeDefined();
    // A config change since keeps the pin: status credits the rollback with the version it restored, and names the live one.
    const live = await set('GREETING', 'after the rollback');
    const status = (await project.cli(['status'])).stdout.replace(/\s+/g, ' ');
    expect(status).toContain(`Rolled back to ${first} · config v2 (`);
    expect(status).toContain(`, config v${live} live since`);
    // It says the config the pair runs with, the pin it moved, and the hold it ended.
    const forward = await project.cli(['deploy']);
    expect(forward.code, forward.stderr).toBe(0);
    expect(forward.stdout.trim()).toBe(second);
    expect(forward.stderr).toContain(`web:live and admin:live now point at ${second} with config v${live} (was ${first}).`);
    expect(forward.stderr).toMatch(
      new RegExp(`${second} was pinned to config v\\d+; it now runs with the live config, v${live}, which a rollback to it restores\\.`),
    );
    expect(forward.stderr).toContain(`This deploy ends the hold of the rollback to ${first}: invoke deploys the working tree again.`);
    expect((await livePair()).release).toBe(second);
    expect(await localRollbackPin({ stateDir: join(project.dir, '.cnf') })).toBeUndefined();
  });

  it('a deploy that builds the live release again moves nothing, and records no move of the live pair', async () => {
    const moves = (): number =>
      (JSON.parse(readFileSync(join(project.dir, '.cnf', 'local', 'parameters.json'), 'utf8')) as { pairs: unknown[] }).pairs.length;
    const before = moves();
    // a comment: the sources differ, the bundle built from them does not
    appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), '\n// a comment, which the bundle leaves out\n');
    expect(await deploy()).toBe(second);
    expect(moves()).toBe(before);
  });

  it('runs the release phase on the target first; when it fails nothing moves, and the ledger says why', async () => {
    setReleasePhase('fail');
    try {
      const before = await livePair();
      const failed = await project.cli(['rollback', '--to', first, '--yes', '--run-id', 'rb-failed']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`The release phase (fail) of ${first} exited 1; nothing moved.`);
      expect(await livePair()).toEqual(before);
      const record = JSON.parse((await project.cli(['runs', 'show', 'rb-failed', '--json'])).stdout) as RunRecord;
      expect(record).toMatchObject({ task: 'cnf:rollback', exitCode: 1, error: { name: 'ReleasePhaseFailed' } });
      const phase = JSON.parse((await project.cli(['runs', '--task', 'fail', '--json'])).stdout) as RunRecord[];
      expect(phase[0]).toMatchObject({ runId: 'rb-failed-release-phase', source: 'release-phase', release: first });
    } finally {
      setReleasePhase(undefined);
    }
  });

  it('a --run-id whose release phase id names a run already is 64 before anything starts: that run never stands in for the phase', async () => {
    setReleasePhase('noop');
    try {
      const before = await livePair();
      // the same task, run by hand on the live release with the id the release phase would take
      const taken = await project.cli(['invoke', 'noop', '--run-id', 'rb-taken-release-phase']);
      expect(taken.code).toBe(0);
      for (const args of [['--yes'], ['--dry-run']]) {
        const refused = await project.cli(['rollback', '--to', first, '--run-id', 'rb-taken', ...args]);
        expect(refused.code, args.join(' ')).toBe(64);
        expect(refused.stderr).toContain(
          `Run id rb-taken-release-phase, which this rollback's release phase would take, already names a run of noop on ${before.release}; nothing moved.`,
        );
        expect(refused.stderr).not.toMatch(/^\s+at /m);
      }
      // a run id so long that the release phase's id would be none: named, not a 64 of the phase after the claim
      const long = 'r'.repeat(128);
      const tooLong = await project.cli(['rollback', '--to', first, '--run-id', long, '--yes']);
      expect(tooLong.code).toBe(64);
      expect(tooLong.stderr).toContain('--run-id is 128 characters, too long for a rollback with a release phase');
      expect(tooLong.stderr).toContain('Use a run id of at most 114 characters');
      expect(await livePair()).toEqual(before);
      const runs = JSON.parse((await project.cli(['runs', '--all', '--json'])).stdout) as RunRecord[];
      expect(runs.map((run) => run.runId)).not.toContain('rb-taken');
      expect(runs.map((run) => run.runId)).not.toContain(long);
    } finally {
      setReleasePhase(undefined);
    }
  });

  it('a release phase the release would refuse (no such task, force it does not take) is 64 before anything starts, a dry run too', async () => {
    const before = await livePair();
    const runsBefore = (await project.cli(['runs', '--all', '--json'])).stdout;
    const noPhase = await project.cli(['rollback', '--to', first, '--yes', '--force']);
    expect(noPhase.code).toBe(64);
    expect(noPhase.stderr).toContain('--force passes force to the release phase, and stage local has none; nothing moved.');
    setReleasePhase('nosuch');
    try {
      for (const args of [['--yes'], ['--dry-run']]) {
        const refused = await project.cli(['rollback', '--to', first, ...args]);
        expect(refused.code, args.join(' ')).toBe(64);
        expect(refused.stderr).toContain(`The release phase (nosuch) cannot run on ${first}: Unknown task "nosuch".`);
        expect(refused.stderr).toContain(`cnf-admin tasks --release ${first} --stage local`);
        expect(refused.stderr).not.toMatch(/^\s+at /m);
      }
      setReleasePhase('noop');
      const forced = await project.cli(['rollback', '--to', first, '--yes', '--force']);
      expect(forced.code).toBe(64);
      expect(forced.stderr).toContain(`The release phase (noop) cannot run on ${first}: Invalid args for noop`);
      expect(forced.stderr).toContain("--force passes it force: true, which the task's args must take");
    } finally {
      setReleasePhase(undefined);
    }
    // nothing moved, and the ledger records nothing: nothing ran
    expect(await livePair()).toEqual(before);
    expect((await project.cli(['runs', '--all', '--json'])).stdout).toBe(runsBefore);
  });
});

describe('the stage lock', () => {
  it('a deploy or a config change during a rollback is refused with 75, naming the rollback; the rollback completes', async () => {
    setReleasePhase('locked');
    try {
      const rolling = spawnCli(['rollback', '--to', first, '--yes', '--run-id', 'rb-race'], { cwd: project.dir });
      const ended = finished(rolling);
      await new Promise<void>((resolve) => {
        rolling.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('holding the lock')) resolve();
        });
      });
      const deploying = await project.cli(['deploy']);
      expect(deploying.code).toBe(75);
      expect(deploying.stderr).toContain('The local stage is being changed by rb-race');
      // a config change too: the rollback's move would drop it
      const setting = await project.cli(['config', 'set', 'DURING', 'rollback']);
      expect(setting.code).toBe(75);
      expect(setting.stderr).toContain('The local stage is being changed by rb-race');
      expect((await ended).code).toBe(0);
      expect((await livePair()).release).toBe(first);
      expect((await project.cli(['config', 'get', 'DURING'])).code).toBe(64);
    } finally {
      setReleasePhase(undefined);
    }
  });

  it('a rollback whose CLI is killed mid-way reads as lost, not running, and frees the stage', async () => {
    setReleasePhase('locked');
    try {
      const before = await livePair();
      const rolling = startWatched(['rollback', '--to', second, '--yes', '--run-id', 'rb-killed'], { cwd: project.dir });
      await rolling.seen('holding the lock');
      rolling.child.kill('SIGKILL');
      await rolling.result;
      const record = JSON.parse((await project.cli(['runs', 'show', 'rb-killed', '--json'])).stdout) as RunRecord;
      expect(record).toMatchObject({ task: 'cnf:rollback', exitCode: 130, error: { name: 'RunLostError' } });
      expect(await livePair()).toEqual(before);
      // its release phase, whose CLI died with it, ends too
      await localRunEnded(project.dir, 'rb-killed-release-phase');
      const phase = JSON.parse((await project.cli(['runs', 'show', 'rb-killed-release-phase', '--json'])).stdout) as RunRecord;
      expect(phase.endedAt).toEqual(expect.any(String));
      // its task ignored the interrupt and ended well; its log, cut where the CLI that wrote it died, says so, and blames no full disk
      expect(phase).toMatchObject({ exitCode: 0, interruptedAt: expect.any(String) });
      const log = await project.cli(['logs', 'rb-killed-release-phase']);
      expect(log.stderr.replace(/\s+/g, ' ')).toContain(
        'the run was interrupted, and the cnf-admin process that wrote its log likely went away then',
      );
      expect(log.stderr).not.toContain('it was not written whole');
      // and the stage is free at once: a deploy need not wait for the dead rollback's lease to run out
      expect((await project.cli(['config', 'set', 'AFTER', 'killed-rollback'])).code).toBe(0);
    } finally {
      setReleasePhase(undefined);
    }
  });

  it('a rollback killed after it took the stage but before it recorded its run frees the stage at once; one that lives holds it', async () => {
    const lockDir = join(project.dir, '.cnf', 'local', 'locks', '.stage');
    /** Makes the stage lock's newest generation a rollback's that has no run record yet, taken by process `pid`. */
    const holdWith = (pid: number): string => {
      const newest = Math.max(0, ...readdirSync(lockDir).map((name) => Number(/^(\d{12})\.json$/.exec(name)?.[1] ?? 0)));
      const runId = `rb-unrecorded-${newest + 1}`;
      const lease = { runId, caller: 'test', since: new Date().toISOString(), pid, expiresAt: Date.now() + 30_000 };
      writeFileSync(join(lockDir, `${String(newest + 1).padStart(12, '0')}.json`), JSON.stringify(lease));
      return runId;
    };
    // A process that has ended: its pid names no process now.
    holdWith(spawnSync(process.execPath, ['-e', '0']).pid as number);
    expect((await project.cli(['config', 'set', 'AFTER', 'unrecorded-rollback'])).code).toBe(0);
    // This test's own process lives: its rollback may be about to record its run, and the stage is its own.
    const living = holdWith(process.pid);
    const refused = await project.cli(['config', 'set', 'AFTER', 'held']);
    expect(refused.code).toBe(75);
    expect(refused.stderr).toContain(`The local stage is being changed by ${living}`);
    // Let go, as that rollback would.
    const released = readdirSync(lockDir).sort().at(-1) as string;
    rmSync(join(lockDir, released));
  });

  it('a rollback interrupted (Ctrl-C) during its release phase moves nothing, exits 130, records it, and frees the stage', async () => {
    setReleasePhase('locked');
    try {
      const before = await livePair();
      // A run id of its own each attempt: a retry of this test must not find the first attempt's run.
      const runId = `rb-ctrl-c-${Date.now()}`;
      const rolling = startWatched(['rollback', '--to', before.release === first ? second : first, '--yes', '--run-id', runId], {
        cwd: project.dir,
      });
      await rolling.seen('holding the lock');
      rolling.child.kill('SIGINT');
      const result = await rolling.result;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Interrupted: the rollback stops before it moves anything');
      expect(result.stderr).toContain('The rollback was interrupted before it moved anything');
      expect(await livePair()).toEqual(before);
      const record = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as RunRecord;
      expect(record).toMatchObject({ task: 'cnf:rollback', exitCode: 130, error: { name: 'InterruptedError' } });
      expect((await project.cli(['config', 'set', 'AFTER', 'interrupted-rollback'])).code).toBe(0);
    } finally {
      setReleasePhase(undefined);
    }
  });

  it('a deploy killed while it builds holds the stage no longer than its process lives', async () => {
    appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const killedDeploy = 1;\n');
    const deploying = startWatched(['deploy'], { cwd: project.dir });
    await deploying.seen('Building the bundle');
    deploying.child.kill('SIGKILL');
    await deploying.result;
    // not 75 for the 30 s of the dead deploy's lease
    expect((await project.cli(['config', 'set', 'AFTER', 'killed-deploy'])).code).toBe(0);
  });

  it('a rollback while the release-phase task runs elsewhere exits 75 and moves nothing', async () => {
    setReleasePhase('locked');
    try {
      const holder = spawnCli(['invoke', 'locked', '--', '--ms', '8000'], { cwd: project.dir });
      const held = finished(holder);
      await new Promise<void>((resolve) => {
        holder.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('holding the lock')) resolve();
        });
      });
      const before = await livePair();
      const refused = await project.cli(['rollback', '--to', second, '--yes']);
      expect(refused.code).toBe(75);
      // It says why: the phase ran nothing that could have said so.
      expect(refused.stderr).toMatch(/The release phase \(locked\) of r-[0-9a-f]{12} exited 75: .*locked by run .*; nothing moved\./);
      expect(await livePair()).toEqual(before);
      holder.kill('SIGINT');
      await held;
    } finally {
      setReleasePhase(undefined);
    }
  });
});

describe('a rollback or deploy whose second write fails', () => {
  /* As root, only an immutable file refuses a write: the alias pair's file, made so for the test. */
  async function withImmutable<T>(file: string, work: () => Promise<T>): Promise<T> {
    execFileSync('chattr', ['+i', file]);
    try {
      return await work();
    } finally {
      execFileSync('chattr', ['-i', file]);
    }
  }

  it('moves neither the alias pair nor the live config, exits 77 naming the file, and records the run as ended with 77', async () => {
    const before = await livePair();
    const target = before.release === first ? second : first;
    const parameters = join(project.dir, '.cnf', 'local', 'parameters.json');
    const aliases = join(project.dir, '.cnf', 'local', 'aliases.json');
    const parametersBefore = readFileSync(parameters, 'utf8');
    const runId = `rb-denied-${Date.now()}`;
    const refused = await withImmutable(aliases, () => project.cli(['rollback', '--to', target, '--yes', '--run-id', runId]));
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain(`Cannot replace ${aliases}: operation not permitted (EPERM).`);
    // As root an immutable file refuses: no chown or chmod would help, chattr -i does.
    expect(refused.stderr).toContain('chattr -i');
    expect(readFileSync(parameters, 'utf8')).toBe(parametersBefore);
    expect(await livePair()).toEqual(before);
    const record = JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as RunRecord;
    expect(record).toMatchObject({ task: 'cnf:rollback', exitCode: 77, error: { name: 'PermissionError' } });

    // A deploy of a changed tree whose parameter set cannot be written leaves the pair where it was too.
    appendFileSync(join(project.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const third = 3;\n');
    const aliasesBefore = readFileSync(aliases, 'utf8');
    const deploy = await withImmutable(parameters, () => project.cli(['deploy']));
    expect(deploy.code).toBe(77);
    expect(deploy.stderr).toContain(`Cannot replace ${parameters}: operation not permitted (EPERM).`);
    expect(readFileSync(aliases, 'utf8')).toBe(aliasesBefore);
    expect(await livePair()).toEqual(before);
  });
});

describe('a live pair split by hand: web and admin on two releases', () => {
  it('rollback names both halves, refuses a rollback to the previous one (78), and moves them together to the one named', async () => {
    const aliases = join(project.dir, '.cnf', 'local', 'aliases.json');
    const pairs = JSON.parse(readFileSync(aliases, 'utf8')) as Record<string, { web: string; admin: string }>;
    const web = pairs.live?.web ?? '';
    const admin = web === first ? second : first;
    writeFileSync(aliases, JSON.stringify({ ...pairs, live: { web, admin } }));
    const plan = await project.cli(['rollback', '--dry-run', '--to', web]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout + plan.stderr).toContain(`web ${web}, admin ${admin}`);
    const previous = await project.cli(['rollback', '--dry-run']);
    expect(previous.code).toBe(78);
    expect(previous.stderr).toContain(`web serves ${web} but admin ${admin}`);
    const moved = await project.cli(['rollback', '--to', web, '--yes']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(readFileSync(aliases, 'utf8'))).toMatchObject({ live: { web, admin: web } });
  });
});

describe('releases', () => {
  it('shows the git commit and description a release was deployed from, in a git checkout', async () => {
    const checkout = createTestProject('tasks', { deployed: false });
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: checkout.dir, encoding: 'utf8' });
      git('init', '-q');
      git('add', 'lambda', 'cdk.json');
      git('commit', '-qm', 'Add the tasks');
      const sha = git('rev-parse', 'HEAD').trim();
      expect((await checkout.cli(['deploy'])).code).toBe(0);
      const releases = JSON.parse((await checkout.cli(['releases', '--json'])).stdout) as { gitSha?: string; description?: string }[];
      expect(releases[0]).toMatchObject({ gitSha: sha, description: expect.stringMatching(/: Add the tasks$/) as unknown as string });
      const table = await checkout.cli(['releases'], { env: { COLUMNS: '200' } });
      expect(table.stdout).toMatch(/^RELEASE\s+CONFIG\s+RESTORABLE\s+CREATED\s+COMMIT\s+ALIASES$/m);
      // the description, which begins with the commit: once, not after the sha again
      expect(table.stdout).toMatch(new RegExp(`\\s${sha.slice(0, 7)}[0-9a-f]*(-dirty)?: Add the tasks\\s`));
      expect(table.stdout).not.toContain(`${sha.slice(0, 12)} `);
      // a release deployed to another pair first records its commit too
      appendFileSync(join(checkout.dir, 'lambda', 'tasks', 'noop.ts'), '\nexport const canary = true;\n');
      git('commit', '-qam', 'Try a canary');
      const canarySha = git('rev-parse', 'HEAD').trim();
      const canary = JSON.parse((await checkout.cli(['deploy', '--alias', 'canary', '--json'])).stdout) as { release: string };
      const listed = JSON.parse((await checkout.cli(['releases', '--json'])).stdout) as {
        release: string;
        gitSha?: string;
        description?: string;
      }[];
      expect(listed.find((release) => release.release === canary.release)).toMatchObject({
        gitSha: canarySha,
        description: expect.stringMatching(/: Try a canary$/) as unknown as string,
      });
    } finally {
      await checkout.cleanup();
    }
  });
});
