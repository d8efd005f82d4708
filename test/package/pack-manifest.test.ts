/**
 * tools/pack-manifest.mjs: npm pack strips package.json's scripts in
 * prepack and puts them back in postpack. npm runs no postpack when the pack
 * fails after prepack (a --pack-destination that does not exist, Ctrl-C), and
 * the stripped package.json then has no scripts at all: no later prepack can
 * put it back, and `npm run build` is "Missing script". The strip's guard
 * puts it back once the npm process that ran it has ended.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const MANIFEST = `${JSON.stringify({ name: 'packed', version: '1.0.0', scripts: { build: 'node tools/build.mjs' } }, null, 2)}\n`;
let dir: string;

function packageCopy(): string {
  dir = mkdtempSync(join(tmpdir(), 'pack-manifest-'));
  mkdirSync(join(dir, 'tools'));
  copyFileSync(join(REPO_ROOT, 'tools', 'pack-manifest.mjs'), join(dir, 'tools', 'pack-manifest.mjs'));
  writeFileSync(join(dir, 'package.json'), MANIFEST);
  return dir;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pack-manifest', () => {
  it('puts package.json back, byte for byte, when the npm that stripped it ended without its postpack', async () => {
    const cwd = packageCopy();
    // npm's place: a process that runs prepack through sh -c, then ends as a failed pack does (no postpack)
    const npm = `require('node:child_process').execFileSync('sh', ['-c', 'node tools/pack-manifest.mjs strip'], { stdio: 'inherit' }); process.exit(1);`;
    await expect(promisify(execFile)(process.execPath, ['-e', npm], { cwd })).rejects.toThrow();
    expect(await until(() => readFileSync(join(cwd, 'package.json'), 'utf8') === MANIFEST, 5000)).toBe(true);
    expect(existsSync(join(cwd, '.package.json.packing'))).toBe(false);
  });

  it('leaves the stripped package.json while npm packs, and postpack restores it', async () => {
    const cwd = packageCopy();
    const npm = `const { execFileSync } = require('node:child_process');
      execFileSync('sh', ['-c', 'node tools/pack-manifest.mjs strip']);
      const stripped = require('node:fs').readFileSync('package.json', 'utf8');
      execFileSync('sh', ['-c', 'node tools/pack-manifest.mjs restore']);
      process.stdout.write(stripped);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', npm], { cwd });
    expect(JSON.parse(stdout)).toEqual({ name: 'packed', version: '1.0.0' });
    expect(readFileSync(join(cwd, 'package.json'), 'utf8')).toBe(MANIFEST);
    expect(existsSync(join(cwd, '.package.json.packing'))).toBe(false);
  });
});
