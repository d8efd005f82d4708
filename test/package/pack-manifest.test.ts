/**
 * tools/pack-manifest.mjs: npm pack strips package.json's scripts in
 * prepack and puts them back in postpack. npm runs no postpack when the pack
 * fails after prepack (a --pack-destination that does not exist, Ctrl-C), and
 * the stripped package.json then has no scripts at all: no later prepack can
 * put it back, and `npm run build` is "Missing script". The strip's guard
 * puts it back once the npm process that ran it has ended.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
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
  for (const tool of ['pack-manifest.mjs', 'process-alive.mjs']) copyFileSync(join(REPO_ROOT, 'tools', tool), join(dir, 'tools', tool));
  writeFileSync(join(dir, 'package.json'), MANIFEST);
  return dir;
}

/** The strip's guard of the copy at `cwd`, found by its command line under /proc; undefined when there is none. */
function guardOf(cwd: string): number | undefined {
  const wanted = `${join(cwd, 'tools', 'pack-manifest.mjs')}\0guard\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(wanted)) return Number(entry);
    } catch {
      // a process that ended while the list was read
    }
  }
  return undefined;
}

/** Resolves once process `pid` has ended (its /proc entry gone, looked at every 20 ms), or rejects after `ms`. */
function ended(pid: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const look = (): void => {
      if (!existsSync(`/proc/${pid}`)) resolve();
      else if (Date.now() > end) reject(new Error(`process ${pid} still runs after ${ms} ms`));
      else setTimeout(look, 20);
    };
    look();
  });
}

/** Resolves to whether `check` holds, once package.json changes (a watch of its directory), or at once; false after `ms`. */
function once(check: () => boolean, ms: number): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const watcher = watch(dir, () => {
      if (!check()) return;
      clearTimeout(timer);
      watcher.close();
      resolve(true);
    });
    const timer = setTimeout(() => {
      watcher.close();
      resolve(check());
    }, ms);
  });
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
    expect(await once(() => readFileSync(join(cwd, 'package.json'), 'utf8') === MANIFEST, 5000)).toBe(true);
    expect(existsSync(join(cwd, '.package.json.packing'))).toBe(false);
  });

  it('finds npm where its shell ran the script in its own place (bash, for `a && node …`)', async () => {
    const cwd = packageCopy();
    const npm = `require('node:child_process').execFileSync('bash', ['-c', 'true && node tools/pack-manifest.mjs strip'], { stdio: 'inherit' }); process.exit(1);`;
    await expect(promisify(execFile)(process.execPath, ['-e', npm], { cwd })).rejects.toThrow();
    expect(await once(() => readFileSync(join(cwd, 'package.json'), 'utf8') === MANIFEST, 5000)).toBe(true);
  });

  it('leaves a package.json edited since the strip as it is: the guard puts back only the stripped one', async () => {
    const cwd = packageCopy();
    const edited = `${JSON.stringify({ name: 'packed', version: '2.0.0' }, null, 2)}\n`;
    // npm's place again, but package.json is written anew before npm ends (an editor, a git checkout)
    const npm = `const { execFileSync } = require('node:child_process');
      execFileSync('sh', ['-c', 'node tools/pack-manifest.mjs strip']);
      require('node:fs').writeFileSync('package.json', ${JSON.stringify(edited)});
      process.exit(1);`;
    await expect(promisify(execFile)(process.execPath, ['-e', npm], { cwd })).rejects.toThrow();
    // Once the guard has seen npm end and decided, and ended: the edit stands, and the kept file with it.
    const guard = guardOf(cwd);
    expect(guard).toBeDefined();
    await ended(guard as number, 5000);
    expect(readFileSync(join(cwd, 'package.json'), 'utf8')).toBe(edited);
    expect(existsSync(join(cwd, '.package.json.packing'))).toBe(true);
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
