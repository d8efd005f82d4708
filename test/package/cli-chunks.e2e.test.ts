/**
 * What each command of the built CLI loads before it does anything: the
 * static imports of dist/, followed from an entry chunk, and the packages
 * those chunks require. A heavy package that
 * only one command needs (esbuild, acorn) loads with that command alone;
 * importing esbuild also runs its binary to check its version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const CHUNKS = join(REPO_ROOT, 'dist', 'chunks');

/**
 * The packages a chunk of dist/ loads, with every chunk it statically imports (not its dynamic imports): those
 * it imports, and the CommonJS packages it requires (the AWS SDK, esbuild: tools/build-cli.mjs).
 */
function staticPackages(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [, specifier = ''] of text.matchAll(/(?:^|[;\s}])import\s*(?:[\w${},\s*]+from\s*)?"([^"]+)"/g)) {
    if (specifier.startsWith('./')) for (const found of staticPackages(join(dirname(file), specifier), seen)) packages.add(found);
    else if (!specifier.startsWith('node:')) packages.add(specifier);
  }
  // The chunks' writer (tools/cli-chunks.mjs) quotes a string with backquotes.
  for (const [, required = ''] of text.matchAll(/\b(?:__)?require\(["`]([^"`]+)["`]\)/g))
    if (!required.startsWith('node:')) packages.add(required);
  return packages;
}

/** Every chunk of dist/ that a chunk statically imports, itself included (not its dynamic imports). */
function staticChunks(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(/(?:^|[;\s}])import\s*(?:[\w${},\s*]+from\s*)?"([^"]+)"/g))
    if (specifier.startsWith('./')) staticChunks(join(dirname(file), specifier), seen);
  return seen;
}

/* zod's full build (zod/v4 classic), as it is bundled: its object schema, which zod/mini names ZodMiniObject. */
const ZOD_FULL_BUILD = /\bZodObject=\$constructor\(["`]ZodObject["`]/;

function chunk(prefix: string): string {
  const name = readdirSync(CHUNKS).find((entry) => entry.startsWith(`${prefix}-`) && entry.endsWith('.mjs'));
  expect(name, `no chunk ${prefix}-*.mjs in dist/chunks`).toBeDefined();
  return join(CHUNKS, name as string);
}

describe('the built CLI', () => {
  it('loads neither esbuild nor acorn at its start, nor when it opens an AWS stage', () => {
    for (const entry of [join(REPO_ROOT, 'dist', 'cli.mjs'), chunk('aws-platform')]) {
      const loaded = staticPackages(entry);
      expect(
        [...loaded].filter((name) => /^(esbuild|acorn)$/.test(name)),
        entry,
      ).toEqual([]);
    }
  });

  it("loads zod's full build neither at its start nor for an invoke, a local stage or an AWS stage: only to check a task's args (--dry-run, --detach)", () => {
    const entries = [
      join(REPO_ROOT, 'dist', 'cli.mjs'),
      chunk('invoke'),
      chunk('prepare-invoke'),
      chunk('local-platform'),
      chunk('aws-platform'),
    ];
    for (const entry of entries) {
      const full = [...staticChunks(entry)].filter((file) => ZOD_FULL_BUILD.test(readFileSync(file, 'utf8')));
      expect(full, entry).toEqual([]);
    }
    // The check can fail: the args check does load it.
    expect([...staticChunks(chunk('preflight'))].some((file) => ZOD_FULL_BUILD.test(readFileSync(file, 'utf8')))).toBe(true);
  });

  it('loads no package of the AWS SDK when it opens an AWS stage: the SDK is bundled in, the commands it sends and no more', () => {
    // An error message of the SDK's quotes `require("@aws-sdk/signature-v4-crt")` as what to write: it is no require.
    const loaded = [...staticPackages(chunk('aws-platform'))].filter((name) => name !== '@aws-sdk/signature-v4-crt');
    expect(loaded.filter((name) => /^@(aws-sdk|smithy)\//.test(name))).toEqual([]);
    // The check can fail: the stage's clients are in its chunks, as the preloaded mocks of the tests find them.
    const code = [...staticChunks(chunk('aws-platform'))].map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const client of ['LambdaClient', 'SSMClient', 'STSClient']) expect(code).toContain(`var ${client}=`);
  });

  it('loads esbuild where a command builds, so that the check above can fail', () => {
    expect(staticPackages(chunk('build-bundle'))).toContain('esbuild');
  });
});
