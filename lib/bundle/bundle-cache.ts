import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { CheckedHashes } from '../core/files/checked-hashes.js';
import type { Project } from '../core/project.js';
import type { TaskCatalog } from '../core/task-catalog.js';
import type { Bundle } from './build-bundle.js';
import { listedSources } from './listed-sources.js';
import { changedSources, stampSources, type SourceStamps } from './source-fingerprint.js';
import type { StagedBundle } from './stage-bundle.js';
import { writeBundleFilesSync } from './write-bundle.js';

/*
 * The construct's bundle, kept between synths under the project's
 * `.cnf/bundle-cache/`: the last bundle built, its files, and the stamps of
 * the sources it was built from. A synth whose sources match them stages
 * those files again instead of building: no process, no esbuild.
 */
const CACHE_DIR = 'bundle-cache';
const ENTRY_FILE = 'entry.json';

const entrySchema = z.object({
  release: z.string(),
  catalog: z.looseObject({ tasks: z.array(z.unknown()), scripts: z.optional(z.array(z.unknown())) }),
  sources: z.record(z.string(), z.object({ size: z.number(), mtimeMs: z.number(), sha256: z.string() })),
  files: z.array(z.object({ path: z.string(), size: z.number() })),
});

/** What the cache keeps of the last bundle. */
interface CacheEntry {
  readonly release: string;
  readonly catalog: TaskCatalog;
  readonly sources: SourceStamps;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

function cacheDir(project: Pick<Project, 'stateDir'>): string {
  return join(project.stateDir, CACHE_DIR);
}

function readEntry(project: Pick<Project, 'stateDir'>): CacheEntry | undefined {
  try {
    const parsed = entrySchema.safeParse(JSON.parse(readFileSync(join(cacheDir(project), ENTRY_FILE), 'utf8')));
    return parsed.success ? (parsed.data as unknown as CacheEntry) : undefined;
  } catch {
    return undefined; // none yet, or unreadable: build
  }
}

/** Whether every cached file of the release is there with its size. */
function isWhole(dir: string, entry: CacheEntry): boolean {
  return entry.files.every((file) => statSync(join(dir, file.path), { throwIfNoEntry: false })?.size === file.size);
}

/**
 * The cached bundle, staged in `outdir` as `stageBundle` stages one, when the
 * project's sources are those it was built from (a stat per source, a hash
 * only where the size or time changed); else undefined, and the caller builds.
 */
function stageCachedBundle(project: Project, outdir: string): StagedBundle | undefined {
  const entry = readEntry(project);
  if (entry === undefined) return undefined;
  if (changedSources(project.root, entry.sources, new CheckedHashes(project.stateDir)).length > 0) return undefined;
  if (listedSources(project).some((file) => entry.sources[file] === undefined)) return undefined;
  const cached = join(cacheDir(project), entry.release);
  if (!isWhole(cached, entry)) return undefined;
  const directory = join(outdir, `.cnf-bundle-${entry.release}`);
  if (!existsSync(directory)) {
    const staging = `${directory}.staging-${process.pid}`;
    try {
      rmSync(staging, { recursive: true, force: true });
      cpSync(cached, staging, { recursive: true });
      renameSync(staging, directory);
    } catch {
      // Another synth replaced the cached bundle meanwhile: build.
      rmSync(staging, { recursive: true, force: true });
      return undefined;
    }
  }
  return { release: entry.release, catalog: entry.catalog, directory };
}

/** Keeps a freshly built bundle, whose build began at `builtSince` (ms since the epoch), as the project's cached one. */
function cacheBundle(project: Project, bundle: Pick<Bundle, 'release' | 'catalog' | 'files' | 'inputs'>, builtSince: number): void {
  const dir = cacheDir(project);
  const target = join(dir, bundle.release);
  const entry: CacheEntry = {
    release: bundle.release,
    catalog: bundle.catalog,
    sources: stampSources(project.root, bundle.inputs, builtSince),
    files: bundle.files.map((file) => ({ path: file.path, size: file.contents.byteLength })),
  };
  if (!existsSync(target) || !isWhole(target, entry)) {
    const staging = `${target}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    writeBundleFilesSync(staging, bundle.files);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  }
  // Only the last bundle is kept: an older one is never staged again.
  for (const name of readdirOrNone(dir)) {
    if (name !== bundle.release && name !== ENTRY_FILE && !name.includes('.staging-'))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
  const entryStaging = join(dir, `${ENTRY_FILE}.${process.pid}`);
  writeFileSync(entryStaging, JSON.stringify(entry));
  renameSync(entryStaging, join(dir, ENTRY_FILE));
}

function readdirOrNone(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

export { cacheBundle, stageCachedBundle };
