/**
 * The console survives what Node's REPL survives, and does what it does
 * (`_`, `_error`, `.clear`, dot-commands, `import()`, Ctrl-C on a loop),
 * through the real binary on the local stage of the tasks app: piped input,
 * `-e`, and a real terminal (tmux).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/core/run.js';
import { CLI_BIN, finished, killDetached, spawnCli } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { startTerminal, type Terminal } from '../support/tmux.js';
import { enter, lastLine, PROMPT, prompts } from '../support/console-screen.js';

let project: TestProject;
let terminal: Terminal | undefined;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['deploy'])).code).toBe(0);
});

afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

afterAll(async () => {
  await project.cleanup();
});

async function consoleRun(runId: string): Promise<RunRecord> {
  return JSON.parse((await project.cli(['runs', 'show', runId, '--json'])).stdout) as RunRecord;
}

async function lastConsoleRun(): Promise<RunRecord> {
  const runs = JSON.parse((await project.cli(['runs', '--task', 'cnf:console', '--limit', '1', '--json'])).stdout) as RunRecord[];
  return runs[0] as RunRecord;
}

/** Resolves once the process `pid` is gone; fails after `timeoutMs`. */
async function gone(pid: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw error;
    }
    if (Date.now() > until) throw new Error(`process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once the run's record says it ended; fails after `timeoutMs`. */
async function ended(runId: string, timeoutMs: number): Promise<RunRecord> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const record = await consoleRun(runId);
    if (record.endedAt !== undefined) return record;
    if (Date.now() > until) throw new Error(`run ${runId} still in progress after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('piped input and -e', () => {
  it('takes .exit as the command it is, not as code, and reads no further', async () => {
    const result = await project.cli(['console'], { input: 'const a = 20 + 1\na * 2\n.exit\nconsole.log("read after exit")\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('42\n');
    expect(result.stderr).not.toContain('SyntaxError');
  });

  it('takes .clear, .break and .help, refuses an unknown dot-command with 64, and leaves a chained call inside a statement alone', async () => {
    const result = await project.cli(['console'], {
      input: [
        'const a = 1',
        '.clear',
        'typeof a',
        'const doubled = [1, 2].map((n) => {',
        '  return (n * 10)',
        '    .toFixed(1)',
        '})',
        'doubled',
        '[1, 2,',
        '.break',
        '.help',
        '.nope',
        '"still reading"',
        '',
      ].join('\n'),
    });
    expect(result.stderr).toContain('Clearing context...');
    expect(result.stdout).toContain("'undefined'");
    expect(result.stdout).toContain("[ '10.0', '20.0' ]");
    expect(result.stdout).toMatch(/^\.exit\s+Exit the REPL$/m);
    expect(result.stderr).toContain('Invalid REPL keyword: .nope');
    expect(result.stdout).toContain("'still reading'");
    expect(result.code).toBe(64);
  });

  it('keeps the last value in _ and the last error in _error', async () => {
    const result = await project.cli(['console'], { input: '6 * 7\n_ + 1\nnull.x\n_error.name\n' });
    expect(result.stdout).toBe("42\n43\n'TypeError'\n");
    expect(result.code).toBe(1);
  });

  it('imports modules with await import(), on this Node', async () => {
    const result = await project.cli(['console', '-e', "const fs = await import('node:fs'); typeof fs.readFileSync"]);
    expect(result.stderr).not.toContain('dynamic import callback');
    expect(result.stderr).not.toContain('ExperimentalWarning');
    expect(result.stdout).toBe("'function'\n");
    expect(result.code).toBe(0);
  });

  it('stops an endless console.log loop once its output is closed (piped into head), and records it as interrupted', async () => {
    const child = spawnCli(['console'], { cwd: project.dir, input: 'for (let i = 0; ; i++) console.log("line", i)\n' });
    const result = finished(child);
    // Read a little, then go away, as `head -2` does.
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (seen.includes('line 1\n')) resolve();
      });
    });
    const closedAt = Date.now();
    child.stdout?.destroy();
    // The stop is held to 10 s. A CLI that misses it is killed then, and the test fails at once: left alone, its
    // session would print in an endless loop until the test's timeout, and take a core from every other test.
    const missed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const { code, stderr } = await result.finally(() => clearTimeout(missed));
    expect(Date.now() - closedAt).toBeLessThan(10_000);
    expect(code).toBe(130);
    expect(stderr).toContain('The output was closed: the evaluation is asked to stop.');
    expect(await lastConsoleRun()).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' } });
    // A loaded machine (CI, two workers) may take long to start the session; the stop itself is held to 10 s above.
  }, 120_000);

  it('keeps the output of a loop that never awaits flowing after its CLI fell behind, and stops it on SIGINT', async () => {
    const child = spawnCli(['console', '-e', 'for (let i = 0; ; i++) console.log("line", i)'], { cwd: project.dir, detached: true });
    try {
      const result = finished(child);
      let tail = '';
      let last = -1;
      const reached = (line: number): Promise<void> =>
        new Promise((resolve, reject) => {
          const onData = (chunk: Buffer): void => {
            tail = (tail + chunk.toString('utf8')).slice(-100);
            last = Number(/line (\d+)\n(?!.*line \d+\n)/s.exec(tail)?.[1] ?? last);
            if (last >= line) {
              child.stdout?.off('data', onData);
              resolve();
            }
          };
          child.stdout?.on('data', onData);
          child.once('close', () => reject(new Error(`the console ended at line ${last}, before line ${line}`)));
        });
      await reached(1);
      // The CLI stops reading for a moment, as a busy machine makes it: the session's pipe to it fills up.
      process.kill(child.pid as number, 'SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(child.pid as number, 'SIGCONT');
      const stalled = setTimeout(() => child.kill('SIGKILL'), 10_000);
      // Lines the session could not write then follow, and more after them: the loop's output did not stop where the pipe was full.
      await reached(last + 100_000);
      child.kill('SIGINT');
      const { code } = await result.finally(() => clearTimeout(stalled));
      expect(code).toBe(130);
      expect(await lastConsoleRun()).toMatchObject({ exitCode: 130, error: { name: 'InterruptedError' } });
    } finally {
      // a test that fails on the way leaves no endless loop behind (its session ends with its CLI)
      killDetached(child);
    }
  }, 60_000);
});

describe('a session process and its CLI', () => {
  it('ends when its CLI is killed, even in a loop no interrupt can break, and the ledger records the run as interrupted', async () => {
    const child = spawnCli(['console', '-e', 'console.log("session pid", process.pid); await null; while (true) {}'], { cwd: project.dir });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (/session pid \d+/.test(output)) resolve();
      });
    });
    const pid = Number(/session pid (\d+)/.exec(output)?.[1]);
    const { runId } = await lastConsoleRun();
    child.kill('SIGKILL');
    await gone(pid, 15_000);
    expect(await ended(runId, 5_000)).toMatchObject({
      exitCode: 130,
      error: { name: 'InterruptedError' },
      interruptedAt: expect.any(String),
    });
  });

  it('ends when its terminal closes, and the evaluation it ran is recorded as interrupted', async () => {
    terminal = startTerminal([process.execPath, CLI_BIN, 'console'], { cwd: project.dir });
    const term = terminal;
    await term.waitFor((screen) => screen.includes('local>'));
    term.send('-l', 'console.log("session pid", process.pid), await new Promise(() => {})');
    term.send('Enter');
    const screen = await term.waitFor((text) => /session pid \d+/.test(text));
    const pid = Number(/session pid (\d+)/.exec(screen)?.[1]);
    const { runId } = await lastConsoleRun();
    term.close();
    terminal = undefined;
    await gone(pid, 15_000);
    expect(await ended(runId, 5_000)).toMatchObject({ exitCode: 130 });
  });
});

async function openConsole(): Promise<Terminal> {
  terminal = startTerminal([process.execPath, CLI_BIN, 'console'], { cwd: project.dir });
  await terminal.waitFor((screen) => screen.includes(PROMPT));
  return terminal;
}

describe('the interactive console, as Node REPL', () => {
  it('breaks a synchronous loop on Ctrl-C and keeps what the session declared', async () => {
    const term = await openConsole();
    await enter(term, 'const kept = 41');
    const before = prompts(term.screen());
    term.send('-l', 'console.log("spinning"), (() => { while (true) {} })()');
    term.send('Enter');
    await term.waitFor((screen) => /^spinning$/m.test(screen));
    term.send('C-c');
    const screen = await term.waitFor((text) => prompts(text) > before && lastLine(text) === PROMPT);
    expect(screen).toContain('Uncaught InterruptedError: The run was stopped: interrupted by the user');
    expect(screen).not.toContain('What the session declared is lost');
    expect(await enter(term, 'kept + 1')).toMatch(/^42$/m);
    const runs = JSON.parse((await project.cli(['runs', '--task', 'cnf:console', '--limit', '2', '--json'])).stdout) as RunRecord[];
    expect(runs.map((run) => run.exitCode)).toEqual([0, 130]);
  });

  it('says so when its session process died between inputs, naming what was lost', async () => {
    const term = await openConsole();
    await enter(term, 'const kept = 1');
    const pid = Number(/^(\d+)$/m.exec(await enter(term, 'process.pid'))?.[1]);
    process.kill(pid, 'SIGKILL');
    await gone(pid, 5_000);
    const screen = await enter(term, 'typeof kept');
    expect(screen.replace(/\n/g, '')).toMatch(/what the session declared is lost \(kept\)/i);
    expect(screen).toContain("'undefined'");
  });

  it('clears the context with .clear', async () => {
    const term = await openConsole();
    await enter(term, 'const gone = 1');
    expect(await enter(term, '.clear')).toContain('Clearing context...');
    expect(await enter(term, 'typeof gone')).toContain("'undefined'");
  });

  it('survives Tab on a proxy whose traps throw, and completes without running getters', async () => {
    const term = await openConsole();
    await enter(term, 'let calls = 0');
    await enter(term, 'const trap = () => { calls += 1; throw new Error("trap ran") }');
    await enter(term, 'const hostile = new Proxy({}, { get: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap })');
    await enter(term, 'const holder = { get lazy() { calls += 1; return { inner: 1 } } }');
    for (const line of ['hostile.', 'holder.lazy.']) {
      term.send('-l', line);
      term.send('Tab', 'Tab');
      await term.waitFor((screen) => lastLine(screen) === `${PROMPT} ${line}`);
      term.send('C-u');
    }
    // A getter is listed by name; completing it reads its descriptor, never its value.
    term.send('-l', 'holder.la');
    term.send('Tab');
    await term.waitFor((screen) => lastLine(screen) === `${PROMPT} holder.lazy`);
    term.send('C-u');
    // The session, and what it declared, are there: no trap and no getter ran.
    expect(await enter(term, '[typeof hostile, calls]')).toContain("[ 'object', 0 ]");
  });

  it('lists the matches of con when it and two Tabs arrive in one read', async () => {
    const term = await openConsole();
    term.send('-l', 'con\t\t');
    const screen = await term.waitFor((text) => /\bcontinue\b/.test(text));
    for (const name of ['config', 'console', 'const', 'continue']) expect(screen).toMatch(new RegExp(`\\b${name}\\b`));
    expect(screen).not.toMatch(/\b(Array|decodeURI|globalThis)\b/);
    expect(lastLine(term.screen())).toBe(`${PROMPT} con`);
  });
});
