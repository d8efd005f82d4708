import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { releaseIdOf, type BundleFile } from '../../core/release.js';

/**
 * The release id of the bundle in `dir`, computed from its files as the
 * bundler computes it: the proof that a container holds exactly the bytes
 * of the release it claims to serve.
 */
async function releaseOfDirectory(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: BundleFile[] = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const path = join(entry.parentPath, entry.name);
        return { path: relative(dir, path).split(sep).join('/'), contents: await readFile(path) };
      }),
  );
  return releaseIdOf(files);
}

export { releaseOfDirectory };
