import { afterEach, describe, expect, it, vi } from 'vitest';
import { withEsbuildCollector } from '../../lib/bundle/esbuild-collector.js';

describe('withEsbuildCollector', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('starts esbuild with GOGC=400, and leaves nothing set for what the process starts later', () => {
    vi.stubEnv('GOGC', undefined);
    const seen = withEsbuildCollector(() => process.env.GOGC);
    expect(seen).toBe('400');
    expect(process.env.GOGC).toBeUndefined();
  });

  it('takes an empty GOGC, which Go reads as its default, for unset, and puts it back empty', () => {
    vi.stubEnv('GOGC', '');
    expect(withEsbuildCollector(() => process.env.GOGC)).toBe('400');
    expect(process.env.GOGC).toBe('');
  });

  it("keeps the user's own GOGC", () => {
    vi.stubEnv('GOGC', 'off');
    expect(withEsbuildCollector(() => process.env.GOGC)).toBe('off');
    expect(process.env.GOGC).toBe('off');
  });

  it('puts the environment back when the start throws', () => {
    vi.stubEnv('GOGC', undefined);
    expect(() =>
      withEsbuildCollector(() => {
        throw new Error('no esbuild');
      }),
    ).toThrow('no esbuild');
    expect(process.env.GOGC).toBeUndefined();
  });
});
