/**
 * A secure parameter through the real binary on the local stage: whatever
 * a run prints, returns or throws, the value never shows on the terminal,
 * in `--json`, in `runs show`, in the run's log file or in the ledger.
 */
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI_BIN, cliEnvironment, finished, type CliResult } from '../support/cli.js';
import { runInTerminal } from '../support/terminal.js';
import { createTestProject, type TestProject } from '../support/test-project.js';

const SECRET = 'tok-5ecr3t-a1b2c3d4';
let project: TestProject;

function expectNoSecret(result: CliResult): void {
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
}

/** Every file under .cnf/ but the parameter set itself, which is where the secret lives. */
function stateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'releases' ? [] : stateFiles(path);
    return name === 'parameters.json' ? [] : [path];
  });
}

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
  expect((await project.cli(['config', 'set', 'API_TOKEN', '-', '--secure'], { input: `${SECRET}\n` })).code).toBe(0);
});

afterAll(async () => {
  await project.cleanup();
});

describe('a secure value on the local stage', () => {
  it('a parameter file damaged around a secret: 69 naming where, never a piece of its text, the run refused before it starts', async () => {
    const file = join(project.dir, '.cnf', 'local', 'parameters.json');
    const whole = readFileSync(file, 'utf8');
    // an editor's slip: the opening quote of the secret's value dropped
    writeFileSync(file, whole.replace(`"value": "${SECRET}"`, `"value": ${SECRET}"`));
    try {
      for (const args of [['config', 'list', '--json'], ['invoke', 'noop'], ['status']]) {
        const result = await project.cli(args);
        expect(result.code, args.join(' ')).toBe(69);
        expect(result.stderr + result.stdout, args.join(' ')).toContain('parameters.json: not valid JSON');
        expect(result.stderr + result.stdout, args.join(' ')).toContain('left out: it may be a secure value');
        for (const piece of [SECRET, SECRET.slice(0, 8), SECRET.slice(-8)]) expect(result.stderr + result.stdout).not.toContain(piece);
      }
    } finally {
      writeFileSync(file, whole);
    }
  });

  it('console -e that throws it: the error, plain console.log and process.stdout.write show [redacted]', async () => {
    const code = `console.log("plain " + config.API_TOKEN); process.stdout.write("raw " + config.API_TOKEN + "\\n"); throw new Error("bad token " + config.API_TOKEN)`;
    const result = await project.cli(['console', '-e', code]);
    expect(result.code).toBe(1);
    expectNoSecret(result);
    const all = result.stdout + result.stderr;
    expect(all).toContain('plain [redacted]');
    expect(all).toContain('raw [redacted]');
    expect(all).toContain('bad token [redacted]');
  });

  it('console -e that writes it in two pieces: one [redacted], in its place, once', async () => {
    const code = `process.stdout.write("a " + config.API_TOKEN.slice(0, 6)); process.stdout.write(config.API_TOKEN.slice(6) + " b\\n"); 1`;
    const result = await project.cli(['console', '-e', code]);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result);
    expect(result.stdout).toBe('a [redacted] b\n1\n');
  });

  it('with --json, the result document is redacted too', async () => {
    const result = await project.cli(['console', '-e', '({ token: config.API_TOKEN })', '--json']);
    expectNoSecret(result);
    expect(result.code).toBe(0);
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain('[redacted]');
  });

  it('typed as the wrong arg: the refusal quotes [redacted], in the foreground, --dry-run, --detach and --json', async () => {
    for (const flags of [[], ['--dry-run'], ['--detach'], ['--json']]) {
      const result = await project.cli(['invoke', 'echo', ...flags, '--', '--count', SECRET]);
      expect(result.code).toBe(64);
      expectNoSecret(result);
      expect(result.stdout + result.stderr).toContain('--count takes an integer in decimal digits, got: "[redacted]"');
    }
  });

  it("as an arg of a dry run: the plan's args show [redacted], with --json too", async () => {
    for (const flags of [['--dry-run'], ['--dry-run', '--json']]) {
      const result = await project.cli(['invoke', 'echo', ...flags, '--', '--count', '1', '--label', SECRET]);
      expect(result.code, result.stderr).toBe(0);
      expectNoSecret(result);
      expect(result.stdout).toMatch(/"label": ?"\[redacted\]"/);
    }
  });

  it('typed where a key, a stage, a run id or a release was expected: the error quotes [redacted], with --json too', async () => {
    for (const args of [
      ['config', 'get', SECRET],
      ['invoke', 'noop', '--stage', SECRET],
      ['runs', 'show', SECRET],
      ['rollback', '--to', SECRET, '--json'],
      ['config', 'get', 'API_TOKEN', `-${SECRET}`],
      ['help', SECRET],
      ['help', SECRET, '--json'],
      ['invoke', `-${SECRET}`],
    ]) {
      const result = await project.cli(args);
      expect([64, 69]).toContain(result.code);
      expectNoSecret(result);
      expect(result.stderr).toContain('[redacted]');
    }
  });

  it('chosen as a run id: refused with 64 before anything runs, not quoted, and nothing of it stored', async () => {
    for (const args of [
      ['invoke', 'noop', '--run-id', SECRET],
      ['invoke', 'noop', '--run-id', SECRET, '--detach'],
      ['rollback', '--yes', '--run-id', SECRET],
    ]) {
      const result = await project.cli(args);
      expect(result.code, result.stderr).toBe(64);
      expectNoSecret(result);
      expect(result.stderr).toContain('--run-id holds a secure value of stage local; nothing ran.');
    }
    expect(stateFiles(join(project.dir, '.cnf')).filter((file) => file.includes(SECRET))).toEqual([]);
  });

  it('chosen as an alias name: deploy refuses with 64 before it builds or moves anything, not quoted, and nothing of it stored', async () => {
    const aliasesBefore = readFileSync(join(project.dir, '.cnf', 'local', 'aliases.json'), 'utf8');
    for (const args of [
      ['deploy', '--alias', SECRET],
      ['deploy', '--alias', SECRET, '--json'],
    ]) {
      const result = await project.cli(args);
      expect(result.code, result.stderr).toBe(64);
      expectNoSecret(result);
      expect(result.stderr).toContain('--alias holds a secure value of stage local; nothing was deployed.');
    }
    expect(readFileSync(join(project.dir, '.cnf', 'local', 'aliases.json'), 'utf8')).toBe(aliasesBefore);
    expect(stateFiles(join(project.dir, '.cnf')).filter((file) => file.includes(SECRET))).toEqual([]);
  });

  it('typed as the key of config unset: nothing removed, and the key not printed back', async () => {
    for (const args of [
      ['config', 'unset', SECRET],
      ['config', 'unset', SECRET, '--json'],
    ]) {
      const result = await project.cli(args);
      expect(result.code).toBe(0);
      expectNoSecret(result);
      expect(result.stderr + result.stdout).toContain('[redacted]');
    }
  });

  it('runs show, logs and the state on disk never hold it', async () => {
    const invoked = await project.cli(['invoke', 'show-config', '--json']);
    expectNoSecret(invoked);
    const runs = JSON.parse((await project.cli(['runs', '--all', '--json'])).stdout) as { runId: string; error?: { message: string } }[];
    expect(runs.some((run) => run.error?.message === 'bad token [redacted]')).toBe(true);
    for (const run of runs) {
      expectNoSecret(await project.cli(['runs', 'show', run.runId]));
      expectNoSecret(await project.cli(['logs', run.runId]));
    }
    for (const file of stateFiles(join(project.dir, '.cnf'))) expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET);
  });
});

/** A PEM-like secure value with every character that JSON or util.inspect escapes. */
const PEM = `-----BEGIN TEST KEY-----\nMIIEvQ"IBADANBgkq\\hkiG9w0B'AQEFAASC\nBKcwggSjAgEAAoIBAQC7\tVJTUt9Us8cKj\n-----END TEST KEY-----`;

/** The value and every escaped form of it (and of each of its lines) that could show in a text. */
function pemLeaks(text: string): string[] {
  const forms = [PEM, ...PEM.split('\n')].flatMap((value) => [value, JSON.stringify(value).slice(1, -1), inspect(value).slice(1, -1)]);
  return [...new Set(forms)].filter((form) => text.includes(form));
}

describe('a secure value with quotes, backslashes and newlines (a PEM key) on the local stage', () => {
  beforeAll(async () => {
    expect((await project.cli(['config', 'set', 'PEM', '-', '--secure'], { input: PEM })).code).toBe(0);
  });

  it.each([
    ['log', 0],
    ['throw', 1],
    ['reject', 1],
    ['uncaught', 1],
    ['write-sync', 0],
    ['split', 0],
    ['split-streams', 0],
    ['result', 0],
  ])('invoke leak --how %s: exit %i, and no form of it on stdout or stderr, with or without --json', async (how, code) => {
    for (const json of [[], ['--json']]) {
      const result = await project.cli(['invoke', 'leak', ...json, '--', '--how', how]);
      expect(result.code, result.stderr).toBe(code);
      expect(pemLeaks(result.stdout + result.stderr)).toEqual([]);
      // invoke prints a returned value only with --json
      if (how !== 'result' || json.length > 0) expect(result.stdout + result.stderr).toContain('[redacted]');
      // never Node's own report of a fatal error
      expect(result.stderr).not.toMatch(/triggerUncaughtException|Node\.js v\d|UnhandledPromiseRejection/);
    }
  });

  it('split between stdout and stderr, which a local run writes as one stream: found whole, where it was written', async () => {
    const result = await project.cli(['invoke', 'leak', '--', '--how', 'split-streams']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('split-streams [redacted]\n');
  });

  it('an uncaught error or an unhandled rejection ends the run as a throw: exit 1, its message redacted in the ledger', async () => {
    for (const how of ['uncaught', 'reject']) {
      const result = await project.cli(['invoke', 'leak', '--json', '--', '--how', how]);
      const run = JSON.parse(result.stdout) as { exitCode: number; error: { message: string } };
      expect(run).toMatchObject({ exitCode: 1, error: { message: `${how === 'reject' ? 'rejected' : 'uncaught'} [redacted]` } });
    }
  });

  it('a result holding the same object twice is redacted at every place', async () => {
    const result = await project.cli(['invoke', 'leak', '--json', '--', '--how', 'result']);
    const run = JSON.parse(result.stdout) as { output: { a: unknown; b: unknown; list: unknown[] } };
    const redacted = { pem: '[redacted]', nested: { pem: '[redacted]' } };
    expect(run.output).toMatchObject({ a: redacted, b: redacted, list: [redacted, redacted] });
  });

  it('console -e and console --json: no form of it in the result or the output', async () => {
    const thrown = await project.cli(['console', '-e', 'throw new Error(JSON.stringify({ key: config.PEM }))']);
    expect(thrown.code).toBe(1);
    expect(pemLeaks(thrown.stdout + thrown.stderr)).toEqual([]);
    const shown = await project.cli([
      'console',
      '--json',
      '-e',
      'const o = { key: config.PEM }; console.log(o); console.log(JSON.stringify(o)); ({ a: o, b: o, list: [o, o] })',
    ]);
    expect(shown.code, shown.stdout + shown.stderr).toBe(0);
    expect(pemLeaks(shown.stdout + shown.stderr)).toEqual([]);
    expect(shown.stdout).toContain('[redacted]');
  });

  it('a task arg holding the secure value is masked in the ledger record', async () => {
    const result = await project.cli(['invoke', 'leak', '--json', '--', '--how', 'arg', '--value', `prefix ${PEM}`]);
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as { runId: string };
    const shown = JSON.parse((await project.cli(['runs', 'show', run.runId, '--json'])).stdout) as { args: Record<string, unknown> };
    expect(shown.args).toEqual({ how: 'arg', value: 'prefix [redacted]' });
  });

  it('the log files, the ledger and every other file under .cnf/ hold no form of it', async () => {
    const files = stateFiles(join(project.dir, '.cnf'));
    expect(files.some((file) => file.endsWith('.log'))).toBe(true);
    for (const file of files) expect(pemLeaks(readFileSync(file, 'utf8')), file).toEqual([]);
  });

  it('the parameter file that holds it is readable by its owner only, and a looser one is made so', async () => {
    const file = join(project.dir, '.cnf', 'local', 'parameters.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    expect((await project.cli(['config', 'list'])).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('a secure value that is part of the marker itself', () => {
  it('the secret "dact" shows as [redacted], never as [re[redacted]ed]', async () => {
    expect((await project.cli(['config', 'set', 'SHORT_ONE', '-', '--secure'], { input: 'dact' })).code).toBe(0);
    const result = await project.cli(['console', '-e', 'console.log("x " + config.SHORT_ONE + " y [redacted] z"); config.SHORT_ONE']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('x [redacted] y [redacted] z');
    expect(result.stdout + result.stderr).not.toMatch(/\[re\[|ed\]ed\]|\bdact\b/);
    expect((await project.cli(['config', 'unset', 'SHORT_ONE'])).code).toBe(0);
  });
});

describe('config set of a secure value', () => {
  it('refuses a value too short to redact, with exit 64, and sets nothing', async () => {
    const result = await project.cli(['config', 'set', 'PIN', 'abc', '--secure']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('at least 4 characters');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect((await project.cli(['config', 'get', 'PIN'])).code).toBe(64);
  });

  it('warns that a value on the command line is now in the shell history', async () => {
    const result = await project.cli(['config', 'set', 'OTHER_TOKEN', 'long-enough-value', '--secure']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/shell's history.*cnf-admin config set OTHER_TOKEN - --secure/);
    expect(result.stderr).not.toContain('long-enough-value');
  });

  it('a new value that starts with "-" is not printed back as an unknown option, and is set after --', async () => {
    const value = '-xnew-5ecret-value';
    const refused = await project.cli(['config', 'set', 'DASH_TOKEN', '--secure', value, '--json']);
    expect(refused.code).toBe(64);
    expect(refused.stderr + refused.stdout).not.toContain('new-5ecret');
    expect(refused.stderr).toContain('cnf-admin config set DASH_TOKEN --secure -- <value>');
    // The key named where it was given, after the flags and a flag's word too.
    const flagsFirst = await project.cli(['config', 'set', '--stage', 'local', '--secure', 'DASH_TOKEN', value]);
    expect(flagsFirst.code).toBe(64);
    expect(flagsFirst.stderr).toContain('cnf-admin config set DASH_TOKEN --secure -- <value>');
    expect((await project.cli(['config', 'get', 'DASH_TOKEN'])).code).toBe(64);
    const set = await project.cli(['config', 'set', 'DASH_TOKEN', '--secure', '--', value]);
    expect(set.code, set.stderr).toBe(0);
    const shown = await project.cli(['console', '-e', 'config.DASH_TOKEN.slice(1).split("").reverse().join("")']);
    expect(shown.stdout).toContain([...value.slice(1)].reverse().join(''));
  });

  it('a new value that starts with "-s" is not read as a stage and named in an error', async () => {
    const refused = await project.cli(['config', 'set', 'DASH_S_TOKEN', '--secure', '-snew-5ecret-value']);
    expect(refused.code).toBe(64);
    expect(refused.stderr + refused.stdout).not.toContain('new-5ecret');
    expect(refused.stderr).toContain('cnf-admin config set DASH_S_TOKEN --secure -- <value>');
    expect((await project.cli(['config', 'set', 'DASH_S_TOKEN', '-s', 'local', '--secure', '--', '-snew-5ecret-value'])).code).toBe(0);
  });

  it('refuses the secret as a key, or in a plain value, where config list, get, diff and history would print it', async () => {
    for (const args of [
      ['config', 'set', SECRET, 'value'],
      ['config', 'set', 'COPIED', SECRET],
      ['config', 'set', 'COPIED', `postgres://app:${SECRET}@db/app`],
    ]) {
      const refused = await project.cli(args);
      expect(refused.code, args.join(' ')).toBe(64);
      expect(refused.stderr).toContain('holds the value of a secure parameter of stage local (not shown); nothing was set');
      expectNoSecret(refused);
    }
    const listed = await project.cli(['config', 'list', '--json']);
    expectNoSecret(listed);
    expect(listed.stdout).not.toContain('COPIED');
    // secure, it is taken
    expect((await project.cli(['config', 'set', 'COPIED', `postgres://app:${SECRET}@db/app`, '--secure'])).code).toBe(0);
  });

  it('refuses a secure value that a plain value holds, live or kept in its history, where config get, list, diff and rollback would print it, naming the key only', async () => {
    const plain = 'plain-4b9e-not-yet-secret';
    expect((await project.cli(['config', 'set', 'SHOWN_URL', `https://svc/?k=${plain}`])).code).toBe(0);
    const refused = await project.cli(['config', 'set', 'HIDDEN_KEY', '-', '--secure'], { input: `${plain}\n` });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain("The value given for HIDDEN_KEY is held by SHOWN_URL's plain value on stage local (not shown)");
    expect(refused.stdout + refused.stderr).not.toContain(plain);
    expect((await project.cli(['config', 'list', '--json'])).stdout).not.toContain('HIDDEN_KEY');
    // removed, its value is still kept in the history, which config diff and rollback print
    const gone = 'plain-7c1d-removed-since';
    expect((await project.cli(['config', 'set', 'OLD_NOTE', gone])).code).toBe(0);
    expect((await project.cli(['config', 'unset', 'OLD_NOTE'])).code).toBe(0);
    const fromHistory = await project.cli(['config', 'set', 'LATE_TOKEN', '-', '--secure'], { input: `${gone}\n` });
    expect(fromHistory.code).toBe(64);
    expect(fromHistory.stderr).toContain(
      "The value given for LATE_TOKEN is held by an earlier plain value, OLD_NOTE's, kept in the history of stage local (not shown); nothing was set.",
    );
    // a key's own plain value too: made secure, the plain one would stay in its history
    const own = 'plain-2e8f-made-secure-later';
    expect((await project.cli(['config', 'set', 'SELF_TOKEN', own])).code).toBe(0);
    const ownRefused = await project.cli(['config', 'set', 'SELF_TOKEN', '-', '--secure'], { input: `${own}\n` });
    expect(ownRefused.code).toBe(64);
    expect(ownRefused.stderr).toContain(
      "The value given for SELF_TOKEN is held by SELF_TOKEN's own plain value on stage local (not shown)",
    );
    expect(ownRefused.stderr).toContain('treat the value as exposed, and set a new one for SELF_TOKEN');
    expect(fromHistory.stdout + fromHistory.stderr).not.toContain(gone);
    expect((await project.cli(['config', 'list', '--json'])).stdout).not.toContain('LATE_TOKEN');
  });

  it("refuses a secure value that a key's name holds, live or removed, where config list, history and diff print it, and leaves that key settable", async () => {
    expect((await project.cli(['config', 'set', 'NAMED_LIKE_A_SECRET_9d2f', 'plain'])).code).toBe(0);
    expect((await project.cli(['config', 'set', 'REMOVED_NAME_4c7a', 'plain'])).code).toBe(0);
    expect((await project.cli(['config', 'unset', 'REMOVED_NAME_4c7a'])).code).toBe(0);
    for (const [key, value] of [
      ['NAME_TOKEN', 'NAMED_LIKE_A_SECRET_9d2f'],
      ['NAME_TOKEN', 'LIKE_A_SECRET'],
      ['NAME_TOKEN', 'REMOVED_NAME_4c7a'],
      ['OWN_NAME_TOKEN_3e1b', 'OWN_NAME_TOKEN'],
      // a database URL whose password is a key's name: the redactor masks a URL's password on its own, so config list would
      ['NAME_TOKEN', 'postgres://app:NAMED_LIKE_A_SECRET_9d2f@db/app'],
    ] as const) {
      const refused = await project.cli(['config', 'set', key, '-', '--secure'], { input: `${value}\n` });
      expect(refused.code, value).toBe(64);
      expect(refused.stderr, value).toContain(
        `The value given for ${key} is held by a key's name on stage local (not shown); nothing was set.`,
      );
      expect(refused.stderr, value).toContain('config list, history and diff print the names of keys');
    }
    expect((await project.cli(['config', 'list', '--json'])).stdout).not.toContain('NAME_TOKEN');
    // the key whose name it is can still be set: it was never made a secret
    expect((await project.cli(['config', 'set', 'NAMED_LIKE_A_SECRET_9d2f', 'plain-again'])).code).toBe(0);
  });

  it('a value made secure after a run that printed it, or rotated out: runs show, logs and --json mask it', async () => {
    const later = 'later-secret-7f3a9c2e';
    expect((await project.cli(['invoke', 'echo', '--run-id', 'before-secure', '--', '--count', '1', '--label', later])).code).toBe(0);
    expect((await project.cli(['config', 'set', 'LATER_TOKEN', '-', '--secure'], { input: `${later}\n` })).code).toBe(0);
    // rotated: the old value is no longer live, but still a secret (a rollback would make it live again)
    expect((await project.cli(['config', 'set', 'LATER_TOKEN', '-', '--secure'], { input: 'later-secret-rotated-1\n' })).code).toBe(0);
    const rotatedOut = await project.cli(['invoke', 'echo', '--run-id', 'after-rotation', '--', '--count', '1', '--label', later]);
    expect(rotatedOut.stdout + rotatedOut.stderr).not.toContain(later);
    for (const args of [
      ['runs', 'show', 'before-secure'],
      ['runs', 'show', 'before-secure', '--json'],
      ['logs', 'before-secure'],
      ['logs', 'before-secure', '--json'],
      ['runs', '--json'],
    ]) {
      const shown = await project.cli(args);
      expect(shown.code, args.join(' ')).toBe(0);
      expect(shown.stdout + shown.stderr, args.join(' ')).not.toContain(later);
      expect(shown.stdout, args.join(' ')).toContain('[redacted]');
    }
    // what the rotated-out value's run wrote holds no trace of it either
    expect(readFileSync(join(project.dir, '.cnf', 'local', 'logs', 'after-rotation.log'), 'utf8')).not.toContain(later);
  });

  it('masks it as a task filter of runs, and does not quote --args that are not JSON', async () => {
    const filtered = await project.cli(['runs', '--task', SECRET]);
    expect(filtered.stderr).toContain('for task [redacted]');
    expectNoSecret(filtered);
    const args = await project.cli(['invoke', 'echo', '--args', `{"note": ${SECRET}}`]);
    expect(args.code).toBe(64);
    expect(args.stderr).toContain('--args is not valid JSON');
    expect(args.stderr).not.toContain(SECRET.slice(0, 8));
  });

  it('reads the value from piped stdin when none is given, without a warning', async () => {
    const result = await project.cli(['config', 'set', 'PIPED_TOKEN', '--secure'], { input: 'piped-value-1234\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('history');
    const shown = await project.cli(['console', '--json', '-e', 'config.PIPED_TOKEN.length']);
    expect(shown.stdout).toMatch(/\b16\b/);
  });
});

describe('config set of a secure value without one on the command line', () => {
  it('asks for it at a terminal with hidden input, as gh secret set does', async () => {
    const typed = 'typed-at-the-prompt-42';
    const shown = await runInTerminal(['config', 'set', 'TTY_TOKEN', '--secure'], {
      cwd: project.dir,
      answers: [{ when: '(input hidden): ', keys: typed }],
    });
    expect(shown.code, shown.screen.join('\n')).toBe(0);
    expect(shown.bytes).toContain('Value of TTY_TOKEN (input hidden): ');
    expect(shown.bytes).not.toContain(typed);
    expect(shown.screen.join('\n')).toContain('Set TTY_TOKEN (secure)');
    expect(shown.screen.join('\n')).not.toContain('history');
    const reversed = await project.cli(['console', '-e', 'config.TTY_TOKEN.split("").reverse().join("")']);
    expect(reversed.stdout).toContain([...typed].reverse().join(''));
  });

  it('stops with 130 and sets nothing on Ctrl-C at the prompt', async () => {
    const shown = await runInTerminal(['config', 'set', 'STOPPED_TOKEN', '--secure'], {
      cwd: project.dir,
      answers: [{ when: '(input hidden): ', keys: 'typed\u0003', enter: false }],
    });
    expect(shown.code, shown.screen.join('\n')).toBe(130);
    expect(shown.screen.join('\n')).toContain('nothing was set');
    expect((await project.cli(['config', 'get', 'STOPPED_TOKEN'])).code).toBe(64);
  });

  it('stops with 130 and sets nothing on Ctrl-C at the prompt of a plain value too, with no stack trace', async () => {
    const shown = await runInTerminal(['config', 'set', 'STOPPED_PLAIN'], {
      cwd: project.dir,
      answers: [{ when: 'Value of STOPPED_PLAIN: ', keys: 'typed\u0003', enter: false }],
    });
    expect(shown.code, shown.screen.join('\n')).toBe(130);
    expect(shown.screen.join('\n')).toContain('Interrupted: nothing was set.');
    expect(shown.screen.join('\n')).not.toMatch(/\n\s+at |failed unexpectedly/);
    expect((await project.cli(['config', 'get', 'STOPPED_PLAIN'])).code).toBe(64);
  });

  it('with stdin neither a terminal nor a pipe, refuses with 64 and says how to give it', async () => {
    const child = spawn(process.execPath, [CLI_BIN, 'config', 'set', 'NO_TOKEN', '--secure'], {
      cwd: project.dir,
      env: cliEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await finished(child);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('needs a value');
    expect(result.stderr).toContain('cnf-admin config set NO_TOKEN - --secure --stage local < file');
  });
});
