import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `file` so that readers see either the old or the new
 * content, never a half-written file: write a temporary sibling, then rename
 * it over the target.
 */
async function writeFileAtomic(file: string, data: string): Promise<void> {
  const temporary = join(dirname(file), `.tmp-${basename(file)}-${randomBytes(4).toString('hex')}`);
  await writeFile(temporary, data);
  await rename(temporary, file);
}

/**
 * Reads and parses a JSON file, or resolves to undefined when it does not exist.
 *
 * @throws SyntaxError (with the file named) when the content is not JSON.
 */
async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SyntaxError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether an error is Node's "file exists" (the loser of an exclusive create). */
function isAlreadyExists(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EEXIST';
}

export { isAlreadyExists, readJsonFile, writeFileAtomic };
