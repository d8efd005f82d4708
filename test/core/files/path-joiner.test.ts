import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathJoiner } from '../../../lib/core/files/path-joiner.js';

/* The relative paths a build records: project files, a linked package's outside the project, and odd ones. */
const FILES = [
  'package-lock.json',
  'lambda/tasks/migrate.ts',
  'lambda/tasks/seed.ts',
  '../../../work/cnf-admin/dist/lib/core/errors.js',
  '../../../work/cnf-admin/dist/lib/core/run.js',
  './lambda/./db.ts',
  'lambda//notes.ts',
  'lambda/tasks/../web.ts',
  'lambda/..',
  'lambda/.',
  'lambda/',
  '..',
  '',
];

describe('pathJoiner', () => {
  for (const root of ['/srv/app', '/srv/app/', '/', '/srv/link/../app']) {
    it(`gives what path.join gives under ${root}, each directory's path reused`, () => {
      const pathOf = pathJoiner(root);
      // Twice: the second pass reads the directories it kept from the first.
      for (const file of [...FILES, ...FILES]) expect(pathOf(file), file).toBe(join(root, file));
    });
  }
});
