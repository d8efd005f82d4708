/**
 * The `require` that a bundle's CommonJS dependencies need: esbuild's ESM
 * output has none, and those that require Node built-ins (pg among them)
 * need one. esbuild writes it at the top of every output file (its
 * `banner`); a file whose code never names `require` has it taken out
 * again, so that a cold start imports `node:module` and makes a require
 * function only for the chunks that use one (a web entry imports several).
 */
const REQUIRE_SHIM =
  "import { createRequire as __cnfCreateRequire } from 'node:module'; const require = __cnfCreateRequire(import.meta.url);";

/* The shim as esbuild writes it: the file's first line. */
const SHIM_LINE = `${REQUIRE_SHIM}\n`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * An output file of the build, with the require shim's line left empty when
 * nothing else in the file names `require` (a word in a string counts too:
 * it keeps the shim, which is harmless). The line stays, empty, so that the
 * file's source map, which maps from the next line on, stays right. Files
 * other than the ES modules (source maps) are returned as they are.
 *
 * @example
 * withoutUnusedRequireShim('chunks/chunk-X.mjs', bytes); // the same bytes, or with line 1 empty
 */
function withoutUnusedRequireShim(path: string, contents: Uint8Array): Uint8Array {
  if (!path.endsWith('.mjs')) return contents;
  const text = decoder.decode(contents);
  if (!text.startsWith(SHIM_LINE) || text.includes('require', SHIM_LINE.length)) return contents;
  return encoder.encode(`\n${text.slice(SHIM_LINE.length)}`);
}

export { REQUIRE_SHIM, withoutUnusedRequireShim };
