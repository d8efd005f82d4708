import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../lib/core/errors.js';
import { databaseFiles, readDatabaseSettings, readServerState } from '../../../lib/platform/local/database-state.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { tempDir } from '../../support/temp-dir.js';

function filesWith(state: string | undefined, settings?: string) {
  const paths = localPaths({ stateDir: join(tempDir('cnf-db-state'), '.cnf') });
  mkdirSync(paths.database, { recursive: true });
  const files = databaseFiles(paths);
  if (state !== undefined) writeFileSync(files.state, state);
  if (settings !== undefined) writeFileSync(files.settings, settings);
  return files;
}

const valid = {
  pid: 4242,
  instanceId: '935f97c0-bae2-434c-9bc4-363e0ef3d4b2',
  postgresPid: 4243,
  port: 54321,
  dataDir: '/work/app/.cnf/local/database/postgres',
  version: '18.4',
  startedAt: '2026-11-30T03:14:03.887Z',
};

describe('the embedded database server state file', () => {
  it('reads a well-formed one, and none when there is none', async () => {
    expect(await readServerState(filesWith(JSON.stringify(valid)))).toEqual(valid);
    expect(await readServerState(filesWith(undefined))).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"pid": 1', /not valid JSON/],
    ['a pid that is no number', JSON.stringify({ ...valid, pid: 'x' }), /pid: /],
    ['a port out of range', JSON.stringify({ ...valid, port: 70000 }), /port: /],
    ['no instance id', JSON.stringify({ ...valid, instanceId: undefined }), /instanceId: /],
    ['a field it never writes', JSON.stringify({ ...valid, extra: true }), /extra/],
    ['a start that is no time', JSON.stringify({ ...valid, startedAt: 'yesterday' }), /startedAt: /],
  ])('refuses %s: 69, naming the file, with what to do', async (_case, text, problem) => {
    const files = filesWith(text);
    const error = await readServerState(files).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).exitCode).toBe(69);
    expect((error as UnavailableError).message).toContain(files.state);
    expect((error as UnavailableError).message).toMatch(problem);
    expect((error as UnavailableError).message).not.toContain('\n');
    expect((error as UnavailableError).hint).toContain('cnf-admin db stop');
  });

  it('validates the settings (the port) too', async () => {
    expect(await readDatabaseSettings(filesWith(undefined, '{"port": 5433}'))).toEqual({ port: 5433 });
    await expect(readDatabaseSettings(filesWith(undefined, '{"port": "5433"}'))).rejects.toThrow(/settings\.json: port: /);
  });
});
