// npm pack and npm publish: the published package.json carries no `scripts`.
// Every script here runs a file the package does not ship (tools/, bench/, the
// tests), and npm 11 warns about a dependency's `prepare` when an app installs
// it. npm reads the scripts it runs before prepack, and tars package.json from
// disk after it:
//
//   node tools/pack-manifest.mjs strip     (prepack) keep package.json aside, write it without scripts
//   node tools/pack-manifest.mjs restore   (postpack) put the kept package.json back, byte for byte
//
// npm runs no postpack when the pack fails after prepack (a --pack-destination
// that does not exist, a full disk, Ctrl-C), and the next npm command reads
// the stripped package.json: it has no scripts, so no prepack puts it back,
// and `npm run build` is "Missing script". So strip also starts a guard,
// detached, that waits for the npm process that ran it to end and then puts
// the kept file back if postpack did not.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from './process-alive.mjs';

const manifest = new URL('../package.json', import.meta.url);
const kept = new URL('../.package.json.packing', import.meta.url);
const GUARD_POLL_MS = 200;

/* The shells npm runs a script with (its script-shell, sh by default). */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);

function restore() {
  if (existsSync(kept)) renameSync(kept, manifest);
}

/** A process's parent and command name, as ps tells them; undefined where ps cannot. */
function processInfo(pid) {
  try {
    const [ppid, ...command] = execFileSync('ps', ['-o', 'ppid=,comm=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    return { ppid: Number(ppid), name: basename(command.join(' ')).replace(/^-/, '') };
  } catch {
    return undefined;
  }
}

/**
 * The npm process that ran this script: the first process above this one
 * that is no shell. npm runs a script through `sh -c`, and a shell may run
 * its last command in its own place (bash does, for `a && node …`): then
 * npm is this process's own parent.
 */
function npmPid() {
  for (let pid = process.ppid, depth = 0; pid > 1 && depth < 4; depth += 1) {
    const info = processInfo(pid);
    if (info === undefined) return undefined;
    if (!SHELLS.has(info.name)) return pid;
    pid = info.ppid;
  }
  return undefined;
}

function digest(text) {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Waits for `pid` to end, then restores the kept package.json, if postpack
 * did not, and only while package.json is still the stripped one strip
 * wrote (`strippedDigest`): an edit made since is never overwritten.
 */
function guard(pid, strippedDigest) {
  const timer = setInterval(() => {
    if (!existsSync(kept)) clearInterval(timer);
    else if (!isAlive(pid)) {
      clearInterval(timer);
      if (digest(readFileSync(manifest, 'utf8')) === strippedDigest) restore();
    }
  }, GUARD_POLL_MS);
}

function strip() {
  restore();
  const source = readFileSync(manifest, 'utf8');
  const published = JSON.parse(source);
  delete published.scripts;
  const stripped = `${JSON.stringify(published, null, 2)}\n`;
  writeFileSync(kept, source);
  writeFileSync(manifest, stripped);
  const pid = npmPid();
  if (pid !== undefined)
    spawn(process.execPath, [fileURLToPath(import.meta.url), 'guard', String(pid), digest(stripped)], {
      detached: true,
      stdio: 'ignore',
    }).unref();
}

const step = process.argv[2];
if (step === 'strip') strip();
else if (step === 'restore') restore();
else if (step === 'guard') guard(Number(process.argv[3]), process.argv[4]);
else {
  process.stderr.write(`pack-manifest: give strip or restore, got: ${JSON.stringify(step ?? null)}\n`);
  process.exitCode = 64;
}
