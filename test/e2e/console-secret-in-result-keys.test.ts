/**
 * A secure value that is a piece of a word of the console's run result
 * (`ation`, in `durationMs`): the result travels whole from the session's
 * process, and only its output and error are redacted, so `console -e`
 * still answers (it ended with 70 and the CLI's stack: "answered no run
 * result: dur[redacted]Ms: Invalid input"); and one that is a word of the
 * marker that ends an evaluation's output (`result`), which the console then
 * never found: it hung, and printed the result's line; once found, the
 * answer's own key `result` was redacted, and the console printed undefined.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The console hung for good on the code before the fix: each test is given a bound.
const BOUND_MS = 30_000;
import { createTestProject, type TestProject } from '../support/test-project.js';

let project: TestProject;

/** A copy of the tasks app (its release deployed, as createTestProject makes it) whose stage keeps `value` secure, as `key`. */
async function projectWithSecret(key: string, value: string): Promise<TestProject> {
  const made = createTestProject('tasks');
  expect((await made.cli(['config', 'set', key, '-', '--secure'], { input: `${value}\n` })).code).toBe(0);
  return made;
}

beforeAll(async () => {
  project = await projectWithSecret('PIECE', 'ation');
});

afterAll(async () => {
  await project.cleanup();
});

describe('console with a secure value that is a piece of a result key', () => {
  it(
    'answers the evaluation, its output redacted',
    async () => {
      const result = await project.cli(['console', '-e', '"foundation " + config.PIECE']);
      expect(result.stderr).not.toContain('answered no run result');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("'found[redacted] [redacted]'");
    },
    BOUND_MS,
  );

  it(
    'with --json, the document keeps its keys and redacts the output',
    async () => {
      const result = await project.cli(['console', '--json', '-e', '({ v: config.PIECE })']);
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(document).toHaveProperty('durationMs');
      expect(document.output).toMatchObject({ result: { v: '[redacted]' } });
    },
    BOUND_MS,
  );

  it(
    'a thrown error is still redacted',
    async () => {
      const result = await project.cli(['console', '-e', 'throw new Error("bad " + config.PIECE)']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout + result.stderr).toContain('bad [redacted]');
    },
    BOUND_MS,
  );
});

describe('console with a secure value that is a word of the marker after an evaluation', () => {
  let marked: TestProject;

  beforeAll(async () => {
    // A word of the session's old marker (`\0cnf:<token>:result …`): redacted there, the console never found its end.
    marked = await projectWithSecret('WORD', 'result');
  });

  afterAll(async () => {
    await marked.cleanup();
  });

  it(
    'ends the evaluation, and prints no line of the session itself',
    async () => {
      const result = await marked.cli(['console', '--json', '-e', '6 * 7']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain('\0');
      expect(JSON.parse(result.stdout)).toHaveProperty('exitCode', 0);
    },
    BOUND_MS,
  );

  it(
    "answers with the evaluation's value, not undefined: the answer's own key `result` is kept",
    async () => {
      const result = await marked.cli(['console', '-e', '6 * 7']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('42');
      expect(result.stdout).not.toContain('undefined');
    },
    BOUND_MS,
  );
});
