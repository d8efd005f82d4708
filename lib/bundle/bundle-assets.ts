import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BundleFile } from '../core/release.js';

/**
 * The directories, relative to the lambda directory, copied into every
 * bundle as they are: the SQL migrations ship with the code that expects them.
 */
const ASSET_DIRECTORIES = ['migrations'] as const;

/** Asset files for the bundle, and the source files they came from. */
interface Assets {
  readonly files: readonly BundleFile[];
  readonly sources: readonly string[];
}

/** Collects every file under the asset directories of `lambdaDir`, in sorted order. */
function collectAssets(lambdaDir: string): Assets {
  const sources = ASSET_DIRECTORIES.flatMap((name) => filesUnder(join(lambdaDir, name))).sort();
  return {
    files: sources.map((file) => ({ path: relative(lambdaDir, file).split('\\').join('/'), contents: readFileSync(file) })),
    sources,
  };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && !entry.name.startsWith('.') ? [path] : [];
  });
}

export { ASSET_DIRECTORIES, collectAssets };
export type { Assets };
