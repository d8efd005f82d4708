import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changingTogether } from '../../../lib/platform/local/state-files-together.js';

let dir: string;
let aliases: string;
let parameters: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnf-together-'));
  aliases = join(dir, 'aliases.json');
  parameters = join(dir, 'parameters.json');
  writeFileSync(aliases, '{"live":"r-1"}\n');
  writeFileSync(parameters, '{"live":1}\n', { mode: 0o600 });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('changingTogether', () => {
  it('keeps every write of a change that succeeds', async () => {
    const answer = await changingTogether([aliases, parameters], async () => {
      await writeFile(aliases, '{"live":"r-2"}\n');
      await writeFile(parameters, '{"live":2}\n');
      return 'moved';
    });
    expect(answer).toBe('moved');
    expect(readFileSync(aliases, 'utf8')).toBe('{"live":"r-2"}\n');
    expect(readFileSync(parameters, 'utf8')).toBe('{"live":2}\n');
  });

  it('puts the first file back, with its mode, when the second write fails, and rethrows that failure', async () => {
    const failure = Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
    await expect(
      changingTogether([parameters, aliases], async () => {
        // As an atomic write replaces it: a new file, with another mode.
        rmSync(parameters);
        await writeFile(parameters, '{"live":7}\n', { mode: 0o644 });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(readFileSync(parameters, 'utf8')).toBe('{"live":1}\n');
    expect(statSync(parameters).mode & 0o777).toBe(0o600);
    expect(readFileSync(aliases, 'utf8')).toBe('{"live":"r-1"}\n');
  });

  it('removes a file the failed change created where there was none', async () => {
    rmSync(aliases);
    await expect(
      changingTogether([aliases, parameters], async () => {
        await writeFile(aliases, '{"live":"r-2"}\n');
        throw new Error('the parameter set could not be written');
      }),
    ).rejects.toThrow('the parameter set could not be written');
    expect(existsSync(aliases)).toBe(false);
  });
});
