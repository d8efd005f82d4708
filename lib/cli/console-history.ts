import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SecretMask } from './secret-mask.js';

/** How many inputs the history keeps. */
const MAX_ENTRIES = 1000;

/**
 * The console's input history, one file per stage under `.cnf/`.
 *
 * Each entry is one whole input, however many lines it took, stored as one
 * JSON string per line (oldest first), so that Up recalls the whole input.
 * Every change rewrites the file whole to a temporary sibling and renames it
 * over the old one: a session killed at any moment leaves the old history or
 * the new one, never a garbled file. Reading is lenient all the same: a line
 * that is not a JSON string (a file edited by hand, or from elsewhere) is
 * skipped. Concurrent sessions merge: each change re-reads the file first.
 * An input that holds a secure value of the stage is not kept, where the
 * CLI can read them (`secrets`: the local stage's); the file is readable by
 * its owner only all the same, since inputs may hold other secrets.
 */
class ConsoleHistory {
  private constructor(
    private readonly file: string,
    private entries: string[],
    private readonly secrets: SecretMask | undefined,
  ) {}

  /** Reads the history file; a missing one is an empty history. */
  static async open(file: string, secrets?: SecretMask): Promise<ConsoleHistory> {
    return new ConsoleHistory(file, await readEntries(file), secrets);
  }

  /** The entries newest first, as readline keeps its history. */
  newestFirst(): string[] {
    return [...this.entries].reverse();
  }

  /**
   * Adds one whole input (its latest use replaces an earlier identical one)
   * and saves the history; resolves once it is on disk, with true, or with
   * false when the input holds a secure value and was not kept.
   */
  async add(input: string): Promise<boolean> {
    if ((await this.secrets?.holds(input)) === true) return false;
    this.entries = withEntry(this.entries, input);
    const merged = withEntry(await readEntries(this.file), input);
    this.entries = merged;
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = join(dirname(this.file), `.tmp-${basename(this.file)}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(temporary, merged.map((entry) => `${JSON.stringify(entry)}\n`).join(''), { mode: 0o600 });
      await rename(temporary, this.file);
    } finally {
      await rm(temporary, { force: true });
    }
    return true;
  }
}

function withEntry(entries: readonly string[], input: string): string[] {
  return [...entries.filter((entry) => entry !== input), input].slice(-MAX_ENTRIES);
}

async function readEntries(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as unknown;
      return typeof entry === 'string' && entry.trim() !== '' ? [entry] : [];
    } catch (error) {
      if (error instanceof SyntaxError) return []; // not an entry: skipped, as the class says
      throw error;
    }
  });
}

export { ConsoleHistory };
