import { readFile, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../../core/files/atomic-file.js';

/** A state file as it was before a change: its text and mode, or absent. */
interface Before {
  readonly file: string;
  readonly text?: string;
  readonly mode?: number;
}

/**
 * Runs `change`, which writes several of the local stage's state files one
 * after another (the alias pair, then the live pair's record in the
 * parameter set), so that a failure part-way (the second file could not be
 * written) leaves none of them changed: each file is read first and put
 * back as it was when `change` throws. The caller holds the state lock, so
 * nothing else writes them meanwhile. Only a kill of the process between
 * the two writes, a window of a millisecond, still leaves the first moved.
 */
async function changingTogether<T>(files: readonly string[], change: () => Promise<T>): Promise<T> {
  const before = await Promise.all(files.map(readBefore));
  try {
    return await change();
  } catch (error) {
    // Put back what can be put back; the change's own error is what the user needs to read.
    await Promise.all(before.map((file) => putBack(file).catch(() => undefined)));
    throw error;
  }
}

async function readBefore(file: string): Promise<Before> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { file, text, mode: info.mode & 0o777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file };
    throw error;
  }
}

async function putBack(before: Before): Promise<void> {
  const now = await readFile(before.file, 'utf8').catch(() => undefined);
  if (now === before.text) return;
  if (before.text === undefined) await rm(before.file, { force: true });
  else await writeFileAtomic(before.file, before.text, before.mode);
}

export { changingTogether };
