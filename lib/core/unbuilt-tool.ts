import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TOOL_PACKAGE } from './tool-root.js';

/** A package.json as far as finding the package an import names goes. */
interface Manifest {
  readonly name?: unknown;
  readonly exports?: unknown;
}

function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (error) {
    // A package.json that is no JSON: Node and esbuild stop there too, with their own word for it.
    if (error instanceof SyntaxError) return {};
    throw error;
  }
}

/**
 * The directory of the copy of cnf-admin that an import of `cnf-admin/…`
 * from `fromDir` finds, as Node and esbuild find it (the package the
 * importer is part of, when that is cnf-admin itself, as in a clone of
 * its repository; else `node_modules/cnf-admin` there or above), when that
 * copy is not built: its `exports` all point into `dist/`, which `npm run
 * build` (or `npm ci`) makes. Undefined when the import finds no copy, or a
 * built one.
 *
 * @example
 * unbuiltToolCopy('/home/me/cnf-admin/lambda'); // '/home/me/cnf-admin' in a clone without npm ci
 */
function unbuiltToolCopy(fromDir: string): string | undefined {
  const copy = toolCopyFrom(fromDir);
  return copy === undefined || existsSync(join(copy, 'dist')) ? undefined : copy;
}

function toolCopyFrom(fromDir: string): string | undefined {
  // A package may import itself by its name: the nearest package.json above the importer decides.
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const manifest = readManifest(dir);
    if (manifest !== undefined) {
      if (manifest.name === TOOL_PACKAGE && manifest.exports !== undefined) return dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', TOOL_PACKAGE);
    if (readManifest(installed) !== undefined) return realpathSync(installed);
    if (dirname(dir) === dir) return undefined;
  }
}

export { unbuiltToolCopy };
