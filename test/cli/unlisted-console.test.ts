import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unlistedConsoleHint } from '../../lib/cli/unlisted-console.js';
import { tempDir } from '../support/temp-dir.js';

/** A project whose lambda/console.ts is written, and whose admin entry is `admin`. */
function projectWithConsole(admin: string) {
  const root = tempDir('cnf-unlisted-console');
  const lambdaDir = join(root, 'lambda');
  mkdirSync(lambdaDir);
  writeFileSync(join(lambdaDir, 'console.ts'), 'export default {};\n');
  writeFileSync(join(lambdaDir, 'admin.ts'), admin);
  return { root, lambdaDir, adminEntry: join(lambdaDir, 'admin.ts') };
}

describe('unlistedConsoleHint', () => {
  it('names the line to add when the admin entry names no console', () => {
    const project = projectWithConsole("export const handler = createAdminHandler({ tasks: {} });\nconsole.log('ready');\n");
    expect(unlistedConsoleHint(project)).toBe(
      "lambda/console.ts gives this console nothing: lambda/admin.ts names no console. Add console: () => import('./console.js') to createAdminHandler's options, beside tasks.",
    );
  });

  it.each([
    ["console: () => import('./console.js')"],
    ['console: loadConsole'],
    ['tasks, console'],
    ["console() { return import('./console.js'); }"],
  ])('says nothing when the admin entry names one: %s', (named) => {
    expect(unlistedConsoleHint(projectWithConsole(`export const handler = createAdminHandler({ ${named} });\n`))).toBeUndefined();
  });
});
