import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeCachedFiles, DYNAMIC_IMPORT } from '../../lib/cli/code-cache.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * A built CLI in small: an entry that requires a chunk, a chunk it requires
 * only when asked, as rolldown writes them, and its import()s as the build
 * rewrites them ({@link DYNAMIC_IMPORT}).
 */
function setup(): { root: string; entry: string; chunk: string; env: NodeJS.ProcessEnv; cacheDir: string } {
  const base = tempDir('cnf-code-cache');
  const root = join(base, 'dist');
  mkdirSync(join(root, 'chunks'), { recursive: true });
  const entry = join(root, 'cli.cjs');
  const chunk = join(root, 'chunks', 'shared.cjs');
  writeFileSync(
    entry,
    [
      'const shared = require("./chunks/shared.cjs");',
      'exports.shared = shared;',
      'exports.greet = (name) => shared.hello(name);',
      'exports.later = () => Promise.resolve().then(() => require("./chunks/later.cjs"));',
      `exports.builtIn = () => ${DYNAMIC_IMPORT}("node:os");`,
      `exports.beside = () => ${DYNAMIC_IMPORT}("./chunks/module.mjs");`,
    ].join('\n'),
  );
  writeFileSync(chunk, 'const { basename } = require("node:path");\nexports.hello = (name) => `hello ${basename(name)}`;\n');
  writeFileSync(join(root, 'chunks', 'later.cjs'), 'exports.answer = 42;\n');
  writeFileSync(join(root, 'chunks', 'module.mjs'), 'export const kind = "an ES module";\n');
  const cacheDir = join(base, 'cache');
  return { root, entry, chunk, env: { CNF_ADMIN_CODE_CACHE: cacheDir }, cacheDir };
}

interface Entry {
  readonly shared: unknown;
  greet(name: string): string;
  later(): Promise<{ answer: number }>;
  builtIn(): Promise<{ EOL: string }>;
  beside(): Promise<{ kind: string }>;
}

/** The one cache file a command left, and its inode: a cache written again is a new file renamed into place. */
function cacheFile(cacheDir: string): { path: string; ino: number } {
  const files = readdirSync(cacheDir).filter((name) => name.endsWith('.v8'));
  expect(files).toHaveLength(1);
  const path = join(cacheDir, files[0] as string);
  return { path, ino: statSync(path).ino };
}

describe('codeCachedFiles', () => {
  it('runs a file and the files it requires, each once, with Node built-ins, lazy requires and import()', async () => {
    const { root, entry, chunk, env } = setup();
    const files = codeCachedFiles(root, 'invoke', env);
    const loaded = files.require(entry) as Entry;
    expect(loaded.greet('/a/b/world')).toBe('hello world');
    expect(files.require(chunk)).toBe(loaded.shared);
    expect(files.require(entry)).toBe(loaded);
    expect((await loaded.later()).answer).toBe(42);
    expect((await loaded.builtIn()).EOL).toBe('\n');
    expect((await loaded.beside()).kind).toBe('an ES module');
  });

  it('imports from code taken from the cache, as from code compiled from source', async () => {
    const { root, entry, env } = setup();
    const first = codeCachedFiles(root, 'invoke', env);
    const compiled = first.require(entry) as Entry;
    expect((await compiled.builtIn()).EOL).toBe('\n');
    expect((await compiled.beside()).kind).toBe('an ES module');
    first.keep();

    const cached = codeCachedFiles(root, 'invoke', env).require(entry) as Entry;
    expect((await cached.builtIn()).EOL).toBe('\n');
    expect((await cached.beside()).kind).toBe('an ES module');
  });

  it("writes the command's cache once it has run, and a later command of that name compiles nothing from source: the cache stays as written", async () => {
    const { root, entry, env, cacheDir } = setup();
    const first = codeCachedFiles(root, 'invoke', env);
    await (first.require(entry) as Entry).later();
    first.keep();
    const written = cacheFile(cacheDir);
    expect(readFileSync(written.path).length).toBeGreaterThan(0);

    const second = codeCachedFiles(root, 'invoke', env);
    expect((second.require(entry) as Entry).greet('x')).toBe('hello x');
    await (second.require(entry) as Entry).later();
    second.keep();
    expect(cacheFile(cacheDir).ino).toBe(written.ino);
  });

  it('compiles a file from source again once it changed (a build wrote it), and writes the cache again', () => {
    const { root, entry, chunk, env, cacheDir } = setup();
    const first = codeCachedFiles(root, 'invoke', env);
    first.require(entry);
    first.keep();
    const written = cacheFile(cacheDir);

    // As long as before: V8 takes a cache for any source of its length.
    writeFileSync(chunk, readFileSync(chunk, 'utf8').replace('`hello ', '`hi!!! '));
    const second = codeCachedFiles(root, 'invoke', env);
    expect((second.require(entry) as Entry).greet('there')).toBe('hi!!! there');
    second.keep();
    expect(cacheFile(cacheDir).ino).not.toBe(written.ino);
  });

  it('writes the cache again where a command loaded a file that the cache did not hold', async () => {
    const { root, entry, env, cacheDir } = setup();
    const first = codeCachedFiles(root, 'invoke', env);
    first.require(entry);
    first.keep();
    const written = cacheFile(cacheDir);

    const second = codeCachedFiles(root, 'invoke', env);
    await (second.require(entry) as Entry).later();
    second.keep();
    expect(cacheFile(cacheDir).ino).not.toBe(written.ino);
  });

  it('keeps a cache per command name', () => {
    const { root, entry, env, cacheDir } = setup();
    for (const name of ['invoke', 'runs']) {
      const files = codeCachedFiles(root, name, env);
      files.require(entry);
      files.keep();
    }
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.v8'))).toEqual([
      expect.stringMatching(/-invoke\.v8$/),
      expect.stringMatching(/-runs\.v8$/),
    ]);
  });

  it('runs from source where the cache is damaged, and writes it again', () => {
    const { root, entry, env, cacheDir } = setup();
    const first = codeCachedFiles(root, 'invoke', env);
    first.require(entry);
    first.keep();
    const { path } = cacheFile(cacheDir);
    writeFileSync(path, 'not a cache');

    const second = codeCachedFiles(root, 'invoke', env);
    expect((second.require(entry) as Entry).greet('x')).toBe('hello x');
    second.keep();
    expect(readFileSync(path).length).toBeGreaterThan('not a cache'.length);
  });

  it("neither reads nor writes a cache in a directory another user could write: code put there is not taken for the CLI's", () => {
    const { root, entry, chunk, env, cacheDir } = setup();
    const first = codeCachedFiles(root, 'invoke', env);
    (first.require(entry) as Entry).greet('x');
    first.keep();
    const { path } = cacheFile(cacheDir);
    // Another user's doing: the file changed (as long as before), and the cache names it as it is now, with the old code.
    writeFileSync(chunk, readFileSync(chunk, 'utf8').replace('`hello ', '`hi!!! '));
    const bytes = readFileSync(path);
    const headerLength = bytes.readUInt32LE(0);
    const header = (JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as [string, string, number, number][]).map(
      ([file, identity, offset, length]) => {
        const stats = statSync(join(root, file), { bigint: true });
        return [
          file,
          file.endsWith('shared.cjs') ? [stats.size, stats.mtimeNs, stats.ctimeNs, stats.ino].join(':') : identity,
          offset,
          length,
        ];
      },
    );
    const forgedHeader = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(forgedHeader.length, 0);
    const forged = Buffer.concat([length, forgedHeader, bytes.subarray(4 + headerLength)]);
    writeFileSync(path, forged);

    // As this user's own directory, the forged cache is taken: the test's forgery works.
    expect((codeCachedFiles(root, 'invoke', env).require(entry) as Entry).greet('there')).toBe('hello there');
    // Writable by others, it is not read, and nothing is written there.
    chmodSync(cacheDir, 0o777);
    const files = codeCachedFiles(root, 'invoke', env);
    expect((files.require(entry) as Entry).greet('there')).toBe('hi!!! there');
    files.keep();
    expect(readFileSync(path).equals(forged)).toBe(true);
  });

  it('runs, and ends its command as usual, where no cache can be written (the directory cannot be made)', () => {
    const { root, entry, env } = setup();
    // A directory inside a file: mkdir fails with ENOTDIR.
    const files = codeCachedFiles(root, 'invoke', { ...env, CNF_ADMIN_CODE_CACHE: join(entry, 'cache') });
    expect((files.require(entry) as Entry).greet('x')).toBe('hello x');
    expect(() => files.keep()).not.toThrow();
  });

  it('keeps no cache where NODE_DISABLE_COMPILE_CACHE=1, and still runs the files', () => {
    const { root, entry, env, cacheDir } = setup();
    const files = codeCachedFiles(root, 'invoke', { ...env, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect((files.require(entry) as Entry).greet('x')).toBe('hello x');
    files.keep();
    expect(existsSync(cacheDir)).toBe(false);
  });
});
