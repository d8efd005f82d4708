import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The lockfile that stands for every installed dependency. */
const LOCKFILE = 'package-lock.json';

/**
 * A fingerprint of the sources a bundle was built from, cheap enough to take
 * on every `invoke`: the content of each input outside `node_modules`, plus
 * the lockfile, which stands for everything inside it.
 *
 * When it differs from the live release's, the working tree would build a
 * different release. Files the bundle does not import do not count, since
 * they cannot change it.
 */
function sourceFingerprint(root: string, inputs: readonly string[]): string {
  const hash = createHash('sha256');
  const files = [...inputs.filter((input) => !input.split('/').includes('node_modules')), LOCKFILE].sort();
  for (const file of files) {
    const path = join(root, file);
    const content = existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
    hash.update(`${file}\0${content}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

export { sourceFingerprint };
