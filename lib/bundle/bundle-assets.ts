import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BundleFile } from '../core/release.js';
import { filesUnder } from './listed-sources.js';

/** Asset files for the bundle, and the source files they came from. */
interface Assets {
  readonly files: readonly BundleFile[];
  readonly sources: readonly string[];
}

/**
 * Collects every file under the asset directories (the project's
 * `assetDirs`, relative to `lambdaDir`), in sorted order: e.g. SQL migrations
 * ship with the code that expects them. A directory that does not exist ships nothing.
 */
function collectAssets(lambdaDir: string, assetDirs: readonly string[]): Assets {
  const sources = assetDirs.flatMap((name) => filesUnder(join(lambdaDir, name))).sort();
  return {
    files: sources.map((file) => ({ path: relative(lambdaDir, file).split('\\').join('/'), contents: readFileSync(file) })),
    sources,
  };
}

export { collectAssets };
export type { Assets };
