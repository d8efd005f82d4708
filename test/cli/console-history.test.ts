import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleHistory } from '../../lib/cli/console-history.js';
import { SecretMask } from '../../lib/cli/secret-mask.js';
import type { ParameterStore } from '../../lib/core/platform.js';
import { tempDir } from '../support/temp-dir.js';

describe('ConsoleHistory', () => {
  it('keeps a multi-line input as one entry, newest first, with its latest use only', async () => {
    const file = join(tempDir('cnf-history'), 'console-history-local.jsonl');
    const history = await ConsoleHistory.open(file);
    await history.add('const a = 1');
    await history.add('for (const n of [1]) {\n  n\n}');
    await history.add('const a = 1');
    expect(history.newestFirst()).toEqual(['const a = 1', 'for (const n of [1]) {\n  n\n}']);
    expect((await ConsoleHistory.open(file)).newestFirst()).toEqual(['const a = 1', 'for (const n of [1]) {\n  n\n}']);
  });

  it('writes the file whole through a rename, readable by its owner only, leaving no temporary file', async () => {
    const dir = tempDir('cnf-history');
    const file = join(dir, 'console-history-local.jsonl');
    await (await ConsoleHistory.open(file)).add('config.API_TOKEN');
    expect(readdirSync(dir)).toEqual(['console-history-local.jsonl']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('"config.API_TOKEN"\n');
  });

  it('keeps no input that holds a secure value of the stage, in any form the redaction knows, and says so', async () => {
    const file = join(tempDir('cnf-history'), 'console-history-local.jsonl');
    const parameters = { secrets: () => Promise.resolve(['s3cret-token-41']) } as unknown as ParameterStore;
    const history = await ConsoleHistory.open(file, new SecretMask(parameters));
    expect(await history.add('const token = "s3cret-token-41"')).toBe(false);
    expect(await history.add('login("s3cret-token-41".length)')).toBe(false);
    expect(await history.add('config.API_TOKEN')).toBe(true);
    expect(history.newestFirst()).toEqual(['config.API_TOKEN']);
    expect(readFileSync(file, 'utf8')).toBe('"config.API_TOKEN"\n');
  });

  it('reads past lines that are no entries (a file cut short, or written by something else)', async () => {
    const file = join(tempDir('cnf-history'), 'console-history-local.jsonl');
    writeFileSync(file, '"first"\nnot json\n{"an":"object"}\n"second"\n"cut sho');
    expect((await ConsoleHistory.open(file)).newestFirst()).toEqual(['second', 'first']);
  });

  it('merges what another session saved meanwhile', async () => {
    const file = join(tempDir('cnf-history'), 'console-history-local.jsonl');
    const one = await ConsoleHistory.open(file);
    const two = await ConsoleHistory.open(file);
    await one.add('from one');
    await two.add('from two');
    expect(two.newestFirst()).toEqual(['from two', 'from one']);
  });
});
