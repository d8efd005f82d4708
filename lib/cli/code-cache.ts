/**
 * The built CLI's CommonJS files (`dist/cli.cjs`, `dist/chunks/`), run with
 * V8's code cache: a command reads the code its files compiled to the last
 * time a command of its name ran, instead of parsing and compiling them
 * again.
 *
 * Node 20 keeps no compiled code of its own (`module.enableCompileCache`
 * came with Node 22.1), and Node 22 writes its cache as a module is
 * compiled, before it runs: the top level, not the functions a command
 * calls, which V8 compiles when they are first called. Here the cache is
 * written once the command has run (`keep`), with every function it
 * compiled. Measured on a 2-core machine with Node 20, in one run, with the
 * CLI as one file: an AWS stage's `config history` took 182 ms of processor
 * time compiled from source, 122 ms with a cache written as it compiled, 89
 * ms with one written after it ran (`node -e 0`: 21 ms).
 *
 * The files are loaded by this module, not by Node's loader, which takes no
 * cache: each gets a `require` that loads the CLI's other files here too
 * (one instance of each per process) and everything else through Node, and
 * a function that does what its `import()`s did ({@link DYNAMIC_IMPORT}). One
 * cache file holds a command's files' caches (a command is named by its
 * first word: `invoke`, `config`, ...). A file's cache is used only while
 * the file keeps the size, times and inode it had when the cache was
 * written, and V8 refuses a cache made by another V8 or with other flags; a
 * file compiled from source has the command's cache written again. Caches
 * live in the system's temporary directory, as Node's own compile cache
 * does, in a directory of this user's own that no one else can write
 * (`$CNF_ADMIN_CODE_CACHE` names another directory;
 * `NODE_DISABLE_COMPILE_CACHE=1`, Node's switch for its cache, turns this
 * one off too). A cache that cannot be read or written only means compiling
 * from source.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** At most this many command caches stay in the directory; the oldest go first. */
const MAX_CACHES = 48;

/**
 * What the build calls in place of each `import()` of the CLI's files
 * (tools/cli-chunks.mjs rewrites them; as long as `import`, so that the
 * source maps stay true): a parameter of each file's wrapper, which imports
 * as the file's own `import()` would. A script compiled by `node:vm` can
 * import only through a callback that Node keeps with it, and Node 20 loses
 * it for the functions that V8 takes from a code cache: their `import()`
 * throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING.
 */
const DYNAMIC_IMPORT = 'cnfImp';

/** The parameters of a CommonJS module's wrapper, as Node's loader gives them, and {@link DYNAMIC_IMPORT}. */
const WRAPPER_HEAD = `(function (exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT}) { `;
const WRAPPER_TAIL = '\n});';

/** A file's identity: a cache is used only while the file still has it. */
type Identity = string;

/** One file's cache, within a command's cache file. */
interface CacheEntry {
  readonly identity: Identity;
  readonly data: Buffer;
}

/** The CLI's files, loaded with a command's code cache. */
interface CodeCachedFiles {
  /** Runs one of the files (once per process, as `require` does) and gives its `module.exports`. */
  require(file: string): unknown;
  /**
   * Writes the command's cache, where a file it loaded was compiled from
   * source. Called once the command has run, so that the cache holds the
   * functions it called.
   */
  keep(): void;
}

/** A loaded file. */
interface Loaded {
  readonly module: { exports: unknown };
  readonly identity: Identity;
  readonly script: vm.Script;
  readonly fresh: boolean;
}

function identityOf(file: string): Identity {
  const stats = statSync(file, { bigint: true });
  return [stats.size, stats.mtimeNs, stats.ctimeNs, stats.ino].join(':');
}

/** Whether `file` is still there, as it was when its cache was written. */
function stillIs(file: string, identity: Identity): boolean {
  try {
    return identityOf(file) === identity;
  } catch {
    return false;
  }
}

/**
 * Whether `directory` is this user's own: no link, owned by this user, and
 * writable by no one else. Another user who made the directory first (it is
 * named in a shared temporary directory) could put code there that V8 would
 * take for the CLI's: the cache is then neither read nor written.
 */
function ownDirectory(directory: string): boolean {
  try {
    const stats = lstatSync(directory);
    const uid = process.getuid?.();
    return stats.isDirectory() && (uid === undefined || (stats.uid === uid && (stats.mode & 0o022) === 0));
  } catch {
    return false;
  }
}

/** The cache file of command `name` for the files under `root`, for this Node. */
function cacheFileOf(env: NodeJS.ProcessEnv, root: string, name: string): string {
  const directory = env.CNF_ADMIN_CODE_CACHE ?? join(tmpdir(), `cnf-admin-code-cache-${process.getuid?.() ?? 'user'}`);
  const place = createHash('sha256').update(`${root}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
  return join(directory, `${place}-${name}.v8`);
}

/**
 * A command's cache file: a 4-byte length, then a JSON header naming each
 * file (relative to the root) with its identity and where its cache lies,
 * then the caches.
 */
function readCacheFile(path: string): Map<string, CacheEntry> {
  if (!ownDirectory(dirname(path))) return new Map();
  try {
    const bytes = readFileSync(path);
    const headerLength = bytes.readUInt32LE(0);
    const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as [string, Identity, number, number][];
    const base = 4 + headerLength;
    return new Map(
      header.map(([file, identity, offset, length]) => [file, { identity, data: bytes.subarray(base + offset, base + offset + length) }]),
    );
  } catch {
    return new Map();
  }
}

function encodeCacheFile(entries: ReadonlyMap<string, CacheEntry>): Buffer {
  let offset = 0;
  const header = [...entries].map(([file, { identity, data }]) => {
    const entry = [file, identity, offset, data.length];
    offset += data.length;
    return entry;
  });
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  return Buffer.concat([length, headerBytes, ...[...entries.values()].map(({ data }) => data)]);
}

/** Removes the oldest command caches beyond {@link MAX_CACHES}. */
function pruneCaches(directory: string): void {
  const caches = readdirSync(directory)
    .filter((entry) => entry.endsWith('.v8'))
    .map((entry) => ({ path: join(directory, entry), at: statSync(join(directory, entry)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { path } of caches.slice(MAX_CACHES)) rmSync(path, { force: true });
}

/**
 * Writes the cache aside and renames it into place: a command that starts
 * meanwhile reads a whole one or none. Not `writeFileAtomicSync`
 * (core/files/atomic-file.ts): this module is the loader every command
 * compiles before its code cache applies, and that one brings the CLI's
 * errors with it.
 */
function writeCacheFile(path: string, entries: ReadonlyMap<string, CacheEntry>): void {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  if (!ownDirectory(directory)) return;
  const partial = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(partial, encodeCacheFile(entries), { mode: 0o600 });
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  pruneCaches(directory);
}

/** What an `import()` in `file` does: a relative specifier names a file beside it. */
function importerOf(file: string): (specifier: string) => Promise<unknown> {
  const base = pathToFileURL(file);
  return (specifier) => import(specifier.startsWith('./') || specifier.startsWith('../') ? new URL(specifier, base).href : specifier);
}

/** A file's source: esbuild writes ASCII, which reads fastest as Latin-1; anything else as UTF-8. */
function sourceOf(file: string): string {
  const bytes = readFileSync(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/**
 * The CommonJS files under `root`, loaded with the code cache of the
 * command `name` (compiled from source, and no cache kept, where it is off).
 *
 * @example
 * const files = codeCachedFiles('/app/node_modules/cnf-admin/dist', 'invoke');
 * const { cli } = files.require('/app/node_modules/cnf-admin/dist/cli.cjs') as { cli(argv: string[]): Promise<number> };
 * process.exitCode = await cli(['invoke', 'migrate']);
 * files.keep();
 */
function codeCachedFiles(root: string, name: string, env: NodeJS.ProcessEnv = process.env): CodeCachedFiles {
  const off = env.NODE_DISABLE_COMPILE_CACHE === '1';
  const cacheFile = cacheFileOf(env, root, name);
  const cached = off ? new Map<string, CacheEntry>() : readCacheFile(cacheFile);
  const loaded = new Map<string, Loaded>();

  // Every require of a chunk asks whether it names one of the files under root: a prefix, not a relative path, for each.
  const inside = root.endsWith(sep) ? root : `${root}${sep}`;
  const requireFrom = (file: string): NodeJS.Require => {
    const nodeRequire = createRequire(file);
    const own = (id: string): unknown => {
      if (!id.startsWith('./') && !id.startsWith('../')) return nodeRequire(id);
      const target = resolve(dirname(file), id);
      return target.startsWith(inside) ? load(target) : nodeRequire(id);
    };
    return Object.assign(own, {
      resolve: nodeRequire.resolve,
      cache: nodeRequire.cache,
      extensions: nodeRequire.extensions,
      main: nodeRequire.main,
    });
  };

  const load = (file: string): unknown => {
    const known = loaded.get(file);
    if (known !== undefined) return known.module.exports;
    const identity = identityOf(file);
    const entry = cached.get(relative(root, file));
    const cachedData = entry?.identity === identity ? entry.data : undefined;
    const script = new vm.Script(`${WRAPPER_HEAD}${sourceOf(file)}${WRAPPER_TAIL}`, { filename: file, cachedData });
    const module = { exports: {} as unknown };
    loaded.set(file, { module, identity, script, fresh: cachedData === undefined || script.cachedDataRejected === true });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper(module.exports, requireFrom(file), module, file, dirname(file), importerOf(file));
    return module.exports;
  };

  let kept = false;
  return {
    require: load,
    keep() {
      if (off || kept || ![...loaded.values()].some(({ fresh }) => fresh)) return;
      kept = true;
      try {
        const entries = new Map([...cached].filter(([file, { identity }]) => stillIs(join(root, file), identity)));
        for (const [file, { identity, script }] of loaded) entries.set(relative(root, file), { identity, data: script.createCachedData() });
        writeCacheFile(cacheFile, entries);
      } catch {
        // The command has run: a cache that cannot be made or written only means compiling from source next time.
      }
    },
  };
}

export { codeCachedFiles, DYNAMIC_IMPORT };
export type { CodeCachedFiles };
