import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BundleFile } from '../core/release.js';

/** Writes bundle files below `dir`, creating directories as needed. */
async function writeBundleFiles(dir: string, files: readonly BundleFile[]): Promise<void> {
  for (const file of files) {
    const target = join(dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
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
