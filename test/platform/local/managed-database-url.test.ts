import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../lib/core/errors.js';
import type { Stage } from '../../../lib/core/stage.js';
import { LocalParameterStore } from '../../../lib/platform/local/local-parameters.js';
import { localPaths } from '../../../lib/platform/local/local-paths.js';
import { assertUnmanagedKey, managedDatabaseKey, syncDatabaseUrl } from '../../../lib/platform/local/managed-database-url.js';
import { tempDir } from '../../support/temp-dir.js';

const local: Stage = { name: 'local', platform: 'local', database: 'postgres' };
const localWithout: Stage = { name: 'local', platform: 'local' };
const prod: Stage = { name: 'prod', platform: 'aws' };

describe('the managed database URL', () => {
  it('is the configured key on a local stage with a database, and nothing elsewhere', () => {
    expect(managedDatabaseKey({ databaseUrlVariable: 'DATABASE_URL' }, local)).toBe('DATABASE_URL');
    expect(managedDatabaseKey({ databaseUrlVariable: 'PG_URL' }, local)).toBe('PG_URL');
    expect(managedDatabaseKey({ databaseUrlVariable: 'DATABASE_URL' }, localWithout)).toBeUndefined();
    expect(managedDatabaseKey({ databaseUrlVariable: 'DATABASE_URL' }, prod)).toBeUndefined();
  });

  it('refuses config set and unset of it, with a hint to cnf-admin db', () => {
    const project = { databaseUrlVariable: 'PG_URL' };
    expect(() => assertUnmanagedKey(project, local, 'PG_URL', 'set')).toThrow(UsageError);
    expect(() => assertUnmanagedKey(project, local, 'PG_URL', 'unset')).toThrow(/config unset cannot change it/);
    expect(() => assertUnmanagedKey(project, local, 'DATABASE_URL', 'set')).not.toThrow();
    expect(() => assertUnmanagedKey(project, prod, 'PG_URL', 'set')).not.toThrow();
  });

  it('is written to the parameter set as a plain value when it differs, and left alone when not', async () => {
    const paths = localPaths({ stateDir: join(tempDir('cnf-db-url'), '.cnf') });
    const store = new LocalParameterStore(paths.parameters);
    await store.set('DATABASE_URL', 'postgres://postgres@127.0.0.1:1/postgres', { secure: true });
    await store.set('OTHER', 'kept', { secure: false });
    await syncDatabaseUrl(paths, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5433/postgres');
    expect(await store.list()).toEqual([
      { key: 'DATABASE_URL', value: 'postgres://postgres@127.0.0.1:5433/postgres', secure: false },
      { key: 'OTHER', value: 'kept', secure: false },
    ]);
    // The store replaces the file on every write (a new inode): the same inode means no write.
    const before = statSync(paths.parameters).ino;
    await syncDatabaseUrl(paths, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5433/postgres');
    expect(statSync(paths.parameters).ino).toBe(before);
  });
});
