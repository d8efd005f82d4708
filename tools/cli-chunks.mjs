// Writes the CLI's chunks, as esbuild split them, into fewer CommonJS files
// with rolldown, which lib/cli/code-cache.ts runs with V8's code cache.
// tools/build-cli.mjs hands over esbuild's output, unwritten.
//
// esbuild splits as if every dynamic import() could be the first thing
// loaded: a module that the CLI's entry imports and a command imports too
// goes into a chunk of its own, shared by both, though the entry has always
// loaded it before any command does. So `cnf-admin --version` loaded twenty
// files before it printed anything, and `db start` forty-five; Node's ES
// module loader cost some 0.3 ms for each file on a 2-core machine
// (resolving, reading, linking), whatever its size. Here, every chunk the
// entry loads statically becomes one file beside it, chunks/cli-start-*.cjs
// (the files every command loads anyway, so no command loads more code than
// before); the chunks behind a command's import() stay apart, merged where
// rolldown sees that they always load together: `--version` loads two
// files. The AWS SDK's entries (dist/aws-sdk/) stay entries, with the
// clients the CLI shares with them.
//
// The maps chain back to the sources: rolldown reads esbuild's maps.
import { parse } from 'acorn';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { rolldown } from 'rolldown';
import { tsImport } from 'tsx/esm/api';

const FROM_ESBUILD = 'esbuild-output';

/*
 * esbuild's output files, unwritten, as modules for rolldown: a relative
 * import between them resolves to another of them; a package or a built-in
 * module stays external, loaded at run time as before.
 */
function esbuildOutput(files) {
  const byPath = new Map(files.map((file) => [file.path, file.text]));
  return {
    name: FROM_ESBUILD,
    resolveId(source, importer) {
      if (importer === undefined) return byPath.has(source) ? source : null;
      if (!source.startsWith('.')) return { id: source, external: true };
      const path = resolve(importer, '..', source);
      if (!byPath.has(path)) throw new Error(`${importer} imports ${source}, which esbuild did not write`);
      return path;
    },
    // A chunk that only passes on what others export maps nothing, and rolldown writes its map without sourcesContent:
    // it is written again, saying that it carries all its sources (none), as every other map of dist/ does.
    async writeBundle(options, bundle) {
      const mapsNothing = Object.values(bundle).filter((file) => file.type === 'chunk' && file.map?.sources.length === 0);
      await Promise.all(
        mapsNothing.map((chunk) =>
          writeFile(resolve(options.dir, `${chunk.fileName}.map`), JSON.stringify({ ...chunk.map, sourcesContent: [] })),
        ),
      );
    },
    load(id) {
      const code = byPath.get(id);
      if (code === undefined) return null;
      const map = byPath.get(`${id}.map`);
      return { code: code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), ...(map === undefined ? {} : { map }) };
    },
  };
}

/* Calls `visit` with every node of an ESTree syntax tree. */
function walk(node, visit) {
  visit(node);
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) if (typeof child?.type === 'string') walk(child, visit);
  }
}

/*
 * Each `import()` of the CLI's files made a call of the function that
 * lib/cli/code-cache.ts gives each file (DYNAMIC_IMPORT, as long as
 * `import`: the maps stay true): code that V8 takes from a code cache loses
 * its `import()` on Node 20.
 */
async function dynamicImportsThroughTheLoader() {
  const { DYNAMIC_IMPORT } = await tsImport('../lib/cli/code-cache.ts', import.meta.url);
  if (DYNAMIC_IMPORT.length !== 'import'.length) throw new Error(`${DYNAMIC_IMPORT} must be as long as import, for the maps`);
  return {
    name: 'dynamic-imports-through-the-loader',
    renderChunk(code, chunk) {
      if (!/\bimport\s*\(/.test(code)) return null;
      const starts = [];
      walk(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }), (node) => {
        if (node.type === 'ImportExpression') starts.push(node.start);
      });
      if (starts.length === 0) return null;
      if (new RegExp(`\\b${DYNAMIC_IMPORT}\\b`).test(code)) throw new Error(`${chunk.fileName} already names ${DYNAMIC_IMPORT}`);
      let rewritten = code;
      for (const start of starts) rewritten = `${rewritten.slice(0, start)}${DYNAMIC_IMPORT}${rewritten.slice(start + 'import'.length)}`;
      return { code: rewritten, map: null };
    },
  };
}

/* The output files (absolute paths) that `entry` imports statically, and those they import, from esbuild's metafile. */
function staticImports(metafile, root, entry) {
  const closure = new Set();
  const visit = (relative) => {
    for (const imported of metafile.outputs[relative]?.imports ?? []) {
      const path = resolve(root, imported.path);
      if (imported.kind !== 'import-statement' || imported.external || closure.has(path)) continue;
      closure.add(path);
      visit(imported.path);
    }
  };
  visit(entry);
  return closure;
}

/* esbuild names a chunk `<name>-<hash>`: rolldown adds a hash of its own, of the merged file. */
function chunkFileName(chunk) {
  return `chunks/${chunk.name.replace(/-[A-Z0-9]{8}$/, '')}-[hash].cjs`;
}

/**
 * Writes the CLI's entries (`entries`: name → output path relative to `root`,
 * `cli` among them) and their chunks into `outdir`, from esbuild's unwritten
 * `outputFiles` and its `metafile`.
 */
async function writeCliChunks({ root, outdir, entries, outputFiles, metafile }) {
  const loadedAtStart = staticImports(metafile, root, entries.cli);
  const bundle = await rolldown({
    input: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, resolve(root, path)])),
    plugins: [esbuildOutput(outputFiles), await dynamicImportsThroughTheLoader()],
    // esbuild left out what no command uses. Rolldown's own pass takes some calls for free of effects, where the
    // code calls them for what they throw (`decodeURIComponent` to tell whether an address decodes): it is off, and
    // so is its inlining of constants, so that the code stays as esbuild wrote it.
    treeshake: false,
    optimization: { inlineConst: false },
    platform: 'node',
    logLevel: 'warn',
  });
  try {
    await bundle.write({
      dir: resolve(root, outdir),
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: chunkFileName,
      codeSplitting: { groups: [{ name: 'cli-start', test: (id) => loadedAtStart.has(id) }] },
      sourcemap: true,
      // As esbuild wrote it: names kept, whitespace left out (the maps map it back).
      minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
    });
  } finally {
    await bundle.close();
  }
}

export { writeCliChunks };
