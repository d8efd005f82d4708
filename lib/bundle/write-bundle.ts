import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BundleFile } from '../core/release.js';

/**
 * Writes bundle files below `dir`, creating directories as needed: the
 * directories first, then the files all at once (a hundred files one after
 * the other took a third longer).
 */
async function writeBundleFiles(dir: string, files: readonly BundleFile[]): Promise<void> {
  for (const directory of new Set(files.map((file) => dirname(join(dir, file.path))))) await mkdir(directory, { recursive: true });
  await Promise.all(files.map((file) => writeFile(join(dir, file.path), file.contents)));
}

/**
 * Writes bundle files below `dir` synchronously, for callers that cannot
 * wait: a CDK construct stages its asset while it is constructed.
 */
function writeBundleFilesSync(dir: string, files: readonly BundleFile[]): void {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
}

export { writeBundleFiles, writeBundleFilesSync };
