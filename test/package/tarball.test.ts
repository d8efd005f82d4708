/**
 * What `npm pack` puts in the tarball: the built CLI and library entries
 * (JavaScript, `.d.ts`, source maps that carry their sources), and nothing
 * of the example app, the tests, the benchmarks or the TypeScript sources.
 * Reads dist/ as `npm run build` left it (npm test builds first).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

interface PackedFile {
  readonly path: string;
}

interface SourceMap {
  readonly sources: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
}

interface Manifest {
  readonly bin: Record<string, string>;
  readonly exports: Record<string, string | { types: string; default: string }>;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;

/** The tarball's file list, as `npm pack --dry-run` reports it (without building again). */
async function packedFiles(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT });
  const [pack] = JSON.parse(stdout) as [{ files: PackedFile[] }];
  return pack.files.map((file) => file.path).sort();
}

/** A target of the exports map or of bin, as a tarball path. */
const tarballPath = (target: string) => target.replace(/^\.\//, '');

describe('the packed tarball', () => {
  let files: string[];
  beforeAll(async () => {
    files = await packedFiles();
  });

  it('holds the bundled CLI with its bin shim, and every file the exports map names', () => {
    expect(files).toEqual(
      expect.arrayContaining(['bin/cnf-admin.cjs', 'dist/load-cli.cjs', 'dist/cli.cjs', 'dist/cli.cjs.map', 'package.json', 'LICENSE']),
    );
    for (const target of Object.values(manifest.bin)) expect(files).toContain(tarballPath(target));
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const targets = typeof target === 'string' ? [target] : [target.types, target.default];
      for (const path of targets) expect(files, subpath).toContain(tarballPath(path));
    }
  });

  it('holds JavaScript, .d.ts and a source map for every library module', () => {
    const modules = files.filter((file) => file.startsWith('dist/lib/') && file.endsWith('.js'));
    expect(modules).toEqual(
      expect.arrayContaining(['dist/lib/runtime/index.js', 'dist/lib/runtime/config.js', 'dist/lib/construct/index.js']),
    );
    // The chunks the runtime's bundled SDK clients share (tools/build-runtime-vendor.mjs) are imported by those clients only: no types.
    const sdkChunk = /^dist\/lib\/runtime\/vendor\/chunks\//;
    expect(modules.filter((module) => sdkChunk.test(module)).length).toBeGreaterThan(0);
    for (const module of modules) {
      if (!sdkChunk.test(module)) expect(files).toContain(module.replace(/\.js$/, '.d.ts'));
      expect(files).toContain(`${module}.map`);
    }
  });

  it("holds the runtime's third-party code bundled: an app's release parses a few files, not the packages behind them", () => {
    const vendored = (module: string) => readFileSync(join(REPO_ROOT, 'dist', 'lib', 'runtime', 'vendor', `${module}.js`), 'utf8');
    for (const client of ['ssm', 'dynamodb', 'ecs']) expect(vendored(client), client).not.toMatch(/from ?["']@(aws-sdk|smithy)\//);
    // umzug without its command line, and its library (@rushstack/ts-command-line) with it.
    expect(vendored('umzug')).toContain("umzug's command line is not part of cnf-admin's runtime");
    expect(vendored('umzug')).not.toContain('@rushstack/');
    // Their maps lead where an app installs those packages, beside cnf-admin: a stack trace names files that are there.
    const maps = files.filter((file) => file.startsWith('dist/lib/runtime/vendor/') && file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(3);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(REPO_ROOT, map), 'utf8')) as SourceMap;
      expect(
        sources.filter((source) => source.includes('node_modules/')),
        map,
      ).toEqual([]);
    }
  });

  it('holds the code of every custom resource provider the construct inlines at synth', () => {
    // Each `inlineHandlerCode('<name>')` of lib/construct reads dist/lib/construct/private/<name>.js in the installed package.
    const construct = join(REPO_ROOT, 'lib', 'construct');
    const sources = readdirSync(construct, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(construct, file), 'utf8'));
    const names = [
      ...new Set(sources.flatMap((source) => [...source.matchAll(/inlineHandlerCode\('([^']+)'\)/g)].map((match) => match[1]))),
    ];
    expect(names.sort()).toEqual(['live-alias-guard-handler', 'release-phase-handler']);
    for (const name of names) expect(files).toContain(`dist/lib/construct/private/${name}.js`);
  });

  it('ships source maps that carry their sources, since it ships no TypeScript', () => {
    const maps = files.filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const incomplete = maps.filter((file) => {
      const map = JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as SourceMap;
      return map.sourcesContent?.length !== map.sources.length || map.sourcesContent.some((content) => typeof content !== 'string');
    });
    expect(incomplete).toEqual([]);
  });

  it('ships no example app, tests, benchmarks, build tools or TypeScript sources', () => {
    const unwanted = files.filter(
      (file) =>
        /^(lambda|scripts|test|bench|tools|lib|api|\.ci)\//.test(file) ||
        ['bin/cdk-app.ts', 'cdk.json', 'tsconfig.json', 'vitest.config.ts', 'dist/.build-stamp'].includes(file) ||
        (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
        file.endsWith('.tsbuildinfo'),
    );
    expect(unwanted).toEqual([]);
  });
});
