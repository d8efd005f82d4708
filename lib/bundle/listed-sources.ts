import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Project } from '../core/project.js';

/** The project facts that say which files a bundle takes by listing directories, not by imports. */
type ListedSource = Pick<Project, 'root' | 'lambdaDir' | 'assetDirs' | 'scriptsDir'>;

/** Every file under a directory, recursively, skipping dot files; absolute paths, unsorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && !entry.name.startsWith('.') ? [path] : [];
  });
}

/** The one-time scripts under a scripts directory: `.ts` files (not `.d.ts`), relative to it, with `/`, sorted. */
function scriptFiles(dir: string): string[] {
  return filesUnder(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => relative(dir, file).split('\\').join('/'))
    .sort();
}

/**
 * The files a bundle takes because they are in a directory, not because
 * code imports them: the one-time scripts and the asset files. Relative to
 * the project root, with `/`, sorted. A file listed here that a release was
 * not built from is new to the working tree.
 */
function listedSources(source: ListedSource): string[] {
  const scripts = scriptFiles(source.scriptsDir).map((file) => join(source.scriptsDir, file));
  const assets = source.assetDirs.flatMap((name) => filesUnder(join(source.lambdaDir, name)));
  return [...scripts, ...assets].map((file) => relative(source.root, file).split('\\').join('/')).sort();
}

export { filesUnder, listedSources, scriptFiles };
export type { ListedSource };
