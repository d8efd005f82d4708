import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** cnf-admin's npm package name: what an app imports it by (`cnf-admin/runtime`), and what its package.json says. */
const TOOL_PACKAGE = 'cnf-admin';

let cached: string | undefined;

/**
 * The directory cnf-admin itself is installed in: the nearest directory
 * above this module whose package.json is named `cnf-admin`. The same answer
 * comes from the TypeScript sources and from the built `dist/`.
 */
function toolRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === TOOL_PACKAGE) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cnf-admin cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The version of cnf-admin, from its package.json. */
function toolVersion(): string {
  return (JSON.parse(readFileSync(join(toolRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export { TOOL_PACKAGE, toolRoot, toolVersion };
