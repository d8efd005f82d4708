import { describe, expect, it } from 'vitest';
import { REQUIRE_SHIM, withoutUnusedRequireShim } from '../../lib/bundle/require-shim.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (contents: Uint8Array): string => new TextDecoder().decode(contents);

describe('withoutUnusedRequireShim', () => {
  it('empties the shim line of a module whose code never names require, keeping its line count for the source map', () => {
    const chunk = `${REQUIRE_SHIM}\nexport const a=1;\n//# sourceMappingURL=chunk-A.mjs.map\n`;
    const out = text(withoutUnusedRequireShim('chunks/chunk-A.mjs', bytes(chunk)));
    expect(out).toBe('\nexport const a=1;\n//# sourceMappingURL=chunk-A.mjs.map\n');
    expect(out.split('\n')).toHaveLength(chunk.split('\n').length);
  });

  it("keeps it where the code names require (esbuild's __require too, or the word in a string)", () => {
    for (const code of [
      'var pg=require("events");',
      'var __require=(x)=>typeof require<"u"?require:x;',
      'throw new Error("require failed");',
    ]) {
      const chunk = `${REQUIRE_SHIM}\n${code}\n`;
      expect(text(withoutUnusedRequireShim('chunks/chunk-B.mjs', bytes(chunk)))).toBe(chunk);
    }
  });

  it('leaves a file that is no module, or has no shim, as it is', () => {
    const map = bytes(`${REQUIRE_SHIM}\n{"version":3}`);
    expect(withoutUnusedRequireShim('chunks/chunk-A.mjs.map', map)).toBe(map);
    const plain = bytes('export const b=2;\n');
    expect(withoutUnusedRequireShim('web.mjs', plain)).toBe(plain);
  });

  it('leaves a module that still runs: imported after, it has its export', async () => {
    const chunk = `${REQUIRE_SHIM}\nexport const answer=42;\n`;
    const url = `data:text/javascript,${encodeURIComponent(text(withoutUnusedRequireShim('x.mjs', bytes(chunk))))}`;
    expect(((await import(url)) as { answer: number }).answer).toBe(42);
  });
});
