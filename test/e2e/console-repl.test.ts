/**
 * The interactive console through a pseudo-terminal (tmux), checked on the
 * screen as a person sees it: completion, colour, history, Ctrl-C. It runs
 * the real binary against the example notes app and its embedded database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../support/cli.js';
import { createTestProject, type TestProject } from '../support/test-project.js';
import { startTerminal, type Terminal } from '../support/tmux.js';
import { enter, lastLine, PROMPT, prompts } from '../support/console-screen.js';

let project: TestProject;
let terminal: Terminal | undefined;

beforeAll(async () => {
  project = createTestProject('notes');
  expect((await project.cli(['invoke', 'migrate'])).code).toBe(0);
});

afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

afterAll(async () => {
  await project.cleanup();
});

const ESC = '\u001b';

/** Starts the console in a terminal and waits for its first prompt. */
async function openConsole(env: NodeJS.ProcessEnv = {}): Promise<Terminal> {
  terminal = startTerminal([process.execPath, CLI_BIN, 'console'], {
    cwd: project.dir,
    env: { CNF_LOCAL_DB_IDLE_SECONDS: '60', ...env },
  });
  await terminal.waitFor((screen) => screen.includes(PROMPT));
  return terminal;
}

describe('the interactive console', () => {
  it('completes the members of a scope value and every matching name, as Node does', async () => {
    // Before any input: the session's process opens the scope to answer.
    const term = await openConsole();
    term.send('-l', 'notes.');
    term.send('Tab');
    // The first Tab completes what all candidates share; the second lists them.
    await term.waitFor((screen) => lastLine(screen).startsWith(`${PROMPT} notes.`));
    term.send('Tab');
    const members = await term.waitFor((screen) => screen.includes('notes.listNotes'));
    expect(members).not.toMatch(/^config\s/m);
    term.send('C-u');
    term.send('-l', 'con');
    term.send('Tab');
    await term.waitFor((screen) => lastLine(screen) === `${PROMPT} con`);
    term.send('Tab');
    const names = await term.waitFor((screen) => /\bcontinue\b/.test(screen));
    for (const name of ['config', 'console', 'const', 'continue']) expect(names).toMatch(new RegExp(`\\b${name}\\b`));
    expect(names).not.toMatch(/\bnotes\.listNotes\s+config\b/);
    // The session that completion opened is the one the first input runs in.
    term.send('C-u');
    await enter(term, '(await db.query("select 2 as two"))[0].two');
    expect(term.screen()).toMatch(/^2$/m);
  });

  it('shows values in colour on a terminal, and never with NO_COLOR', async () => {
    const term = await openConsole();
    await enter(term, '({ count: 42, title: "hi" })');
    const coloured = term.screen({ escapes: true });
    expect(coloured).toContain(`count: ${ESC}[33m42${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[32m'hi'${ESC}[39m`);
    term.close();
    const plain = await openConsole({ NO_COLOR: '1' });
    await enter(plain, '({ count: 42, title: "hi" })');
    expect(plain.screen({ escapes: true })).toContain("{ count: 42, title: 'hi' }");
  });

  it('keeps a multi-line input as one history entry, recalled whole by Up, and leaves dot-commands out', async () => {
    const term = await openConsole();
    const before = prompts(term.screen());
    term.send('-l', 'for (const n of [1, 2]) {');
    term.send('Enter');
    await term.waitFor((screen) => lastLine(screen) === '...');
    // (no semicolons: tmux reads one at the end of an argument as its own command separator)
    term.send('-l', '  console.log("n =", n * 10)');
    term.send('Enter');
    term.send('-l', '}');
    term.send('Enter');
    await term.waitFor((screen) => screen.includes('n = 20') && prompts(screen) > before && lastLine(screen) === PROMPT);
    await enter(term, '.help');
    term.send('Up');
    // Up skips `.help` and brings back the whole loop, not its last line `}`.
    const recalled = await term.waitFor(
      (screen) => lastLine(screen) === '}' && /local> for \(const n of \[1, 2\]\) \{\n.*n \* 10\)\n\}$/m.test(screen.trimEnd()),
    );
    expect(recalled).toBeDefined();
    term.send('Enter');
    await term.waitFor((screen) => screen.split('n = 20').length === 3);
    term.send('-l', '.exit');
    term.send('Enter');
    await term.waitFor((screen) => screen.includes('[exit 0]'));
    const file = readFileSync(join(project.dir, '.cnf', 'console-history-local.jsonl'), 'utf8');
    const entries = file
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as string);
    expect(entries.at(-1)).toBe('for (const n of [1, 2]) {\n  console.log("n =", n * 10)\n}');
    expect(entries.filter((entry) => entry.startsWith('.'))).toEqual([]);
    expect(entries).not.toContain('}');
  });

  it('recalls the input just entered with Up at the next prompt', async () => {
    const term = await openConsole();
    await enter(term, '"recall " + 6 * 7');
    term.send('Up');
    const recalled = await term.waitFor((screen) => lastLine(screen) !== PROMPT);
    expect(lastLine(recalled)).toBe(`${PROMPT} "recall " + 6 * 7`);
  });

  it('keeps no input that holds a secure value of the stage in its history, and says so', async () => {
    const set = await project.cli(['config', 'set', 'HISTORY_TOKEN', '--secure'], { input: 'hist-s3cret-5531' });
    expect(set.code, set.stderr).toBe(0);
    const term = await openConsole();
    await enter(term, '"kept " + 6 * 7');
    await enter(term, '"hist-s3cret-5531".length');
    await term.waitFor((screen) => screen.includes('Not kept in the console history: the input holds a secure value of stage local.'));
    expect(term.screen()).toMatch(/^16$/m);
    term.send('-l', '.exit');
    term.send('Enter');
    await term.waitFor((screen) => screen.includes('[exit 0]'));
    const file = readFileSync(join(project.dir, '.cnf', 'console-history-local.jsonl'), 'utf8');
    expect(file).not.toContain('hist-s3cret-5531');
    expect(
      file
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as string),
    ).toContain('"kept " + 6 * 7');
  });

  it('cancels a running input with Ctrl-C, even a loop after an await, says what was lost and goes on in a fresh session', async () => {
    const term = await openConsole();
    await enter(term, 'const kept = 41');
    const before = prompts(term.screen());
    // After an await the loop runs outside the evaluation's breakOnSigint: only ending its process stops it.
    term.send('-l', 'console.log("spinning"), await null, (() => { while (true) {} })()');
    term.send('Enter');
    // Once it says so, the loop runs: the interrupt must end its process.
    await term.waitFor((screen) => /^spinning$/m.test(screen));
    term.send('C-c');
    const screen = await term.waitFor((text) => prompts(text) > before && lastLine(text) === PROMPT);
    expect(screen).toContain('Interrupting: the evaluation is asked to stop');
    expect(screen.replace(/\n/g, '')).toContain('What the session declared is lost (kept); a fresh session starts with the next input.');
    const after = await enter(term, 'typeof kept');
    expect(after).toContain("'undefined'");
    await enter(term, '(await db.query("select 1 as one"))[0].one');
    expect(term.screen()).toMatch(/^1$/m);
  });

  it('ends on SIGTERM from outside, stopping the input that runs, with exit 130', async () => {
    const term = await openConsole();
    term.send('-l', 'console.log("spinning"), await null, (() => { while (true) {} })()');
    term.send('Enter');
    // Once it says so, the loop runs: the interrupt must end its process.
    await term.waitFor((screen) => /^spinning$/m.test(screen));
    process.kill(term.commandPid(), 'SIGTERM');
    const screen = await term.waitFor((text) => text.includes('[exit 130]'));
    expect(screen).toContain('Interrupting: the evaluation is asked to stop');
    expect(screen).toContain('Uncaught InterruptedError: The evaluation was interrupted and did not stop');
  });

  it('leaves on a second Ctrl-C at an empty prompt, as Node does', async () => {
    const term = await openConsole();
    term.send('C-c');
    await term.waitFor((screen) => screen.includes('(To exit, press Ctrl+C again or Ctrl+D or type .exit)'));
    term.send('C-c');
    await term.waitFor((screen) => screen.includes('[exit 0]'));
  });
});
