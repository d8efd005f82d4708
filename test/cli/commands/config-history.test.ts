import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARAMETER_VERSION_HISTORY } from '../../../lib/core/config-version.js';
import { cli } from '../../../lib/cli/main.js';
import { LocalParameterStore } from '../../../lib/platform/local/local-parameters.js';
import { memoryIo } from '../../support/memory-io.js';
import { tempDir } from '../../support/temp-dir.js';

/** A local project whose parameter set has changed GREETING more times than its history keeps. */
async function projectPastItsHistory(): Promise<string> {
  const dir = tempDir('cnf-history');
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ context: { cnf: { app: 'history', stages: { local: { platform: 'local' } } } } }));
  mkdirSync(join(dir, '.cnf', 'local'), { recursive: true });
  const store = new LocalParameterStore(join(dir, '.cnf', 'local', 'parameters.json'));
  for (let change = 1; change <= PARAMETER_VERSION_HISTORY + 2; change += 1)
    await store.set('GREETING', `hello ${change}`, { secure: false });
  return dir;
}

describe('config history', () => {
  it('lists versions made within one second by their number, newest first, whatever their times read', async () => {
    // given: four versions whose times (by AWS's clock, whole seconds) read out of the order they were made in
    const dir = tempDir('cnf-history');
    writeFileSync(
      join(dir, 'cdk.json'),
      JSON.stringify({ context: { cnf: { app: 'history', stages: { local: { platform: 'local' } } } } }),
    );
    mkdirSync(join(dir, '.cnf', 'local'), { recursive: true });
    const file = join(dir, '.cnf', 'local', 'parameters.json');
    const store = new LocalParameterStore(file);
    for (const key of ['K1', 'K2', 'K3']) await store.set(key, 'v', { secure: false });
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { versions: { createdAt: string }[] };
    const times = ['2026-12-07T07:00:16.000Z', '2026-12-07T07:00:17.000Z', '2026-12-07T07:00:17.001Z', '2026-12-07T07:00:17.000Z'];
    stored.versions.forEach((version, index) => (version.createdAt = times[index]!));
    writeFileSync(file, JSON.stringify(stored));

    // when
    const io = memoryIo(dir, { COLUMNS: '120' });
    expect(await cli(['config', 'history'], io)).toBe(0);

    // then
    const listed = io
      .stdoutText()
      .split('\n')
      .flatMap((line) => /^(v\d+)/.exec(line)?.[1] ?? []);
    expect(listed).toEqual(['v4', 'v3', 'v2', 'v1']);
  });

  it('marks the versions whose values fell out of the history as not restorable, as config diff and rollback refuse them', async () => {
    const dir = await projectPastItsHistory();
    const io = memoryIo(dir, { COLUMNS: '120' });
    expect(await cli(['config', 'history'], io)).toBe(0);
    const table = io.stdoutText();
    expect(table).toMatch(/^VERSION\s+CREATED\s+CAUSE\s+CHANGED\s+RESTORABLE\s+BY$/m);
    // v1 is the empty initial version; v2 and v3 name GREETING's first two values, which the history no longer keeps
    expect(table).toMatch(/^v2\s.*\sno\s/m);
    expect(table).toMatch(/^v3\s.*\sno\s/m);
    expect(table).toMatch(/^v4\s.*\syes\s/m);
    expect(table).toMatch(/^v103 \(live\)\s.*\syes\s/m);
    expect(io.stderrText()).toContain('Versions marked no name a value that is no longer kept');
    // narrow, the column the note speaks of stays
    const narrow = memoryIo(dir, { COLUMNS: '60' });
    expect(await cli(['config', 'history'], narrow)).toBe(0);
    expect(narrow.stdoutText()).toMatch(/^v2\s.*\sno\s/m);

    const json = memoryIo(dir);
    expect(await cli(['config', 'history', '--json'], json)).toBe(0);
    const versions = (JSON.parse(json.stdoutText()) as { versions: { version: number; unrestorable?: string }[] }).versions;
    expect(versions.find((version) => version.version === 2)?.unrestorable).toMatch(/fallen out of the parameter's history/);
    expect(versions.find((version) => version.version === 103)).not.toHaveProperty('unrestorable');
  });

  it('with no version yet, says how to make the first, as the user runs cnf-admin', async () => {
    const dir = tempDir('cnf-history');
    writeFileSync(
      join(dir, 'cdk.json'),
      JSON.stringify({ context: { cnf: { app: 'history', stages: { local: { platform: 'local' } } } } }),
    );
    const io = memoryIo(dir, { npm_command: 'exec' });
    expect(await cli(['config', 'history'], io)).toBe(0);
    expect(io.stderrText()).toBe(
      'Stage local has no config versions yet: the first change makes v1 (npx cnf-admin config set KEY VALUE --stage local).\n',
    );
  });
});
