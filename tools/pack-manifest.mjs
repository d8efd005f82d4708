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
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const manifest = new URL('../package.json', import.meta.url);
const kept = new URL('../.package.json.packing', import.meta.url);
const GUARD_POLL_MS = 200;

function restore() {
  if (existsSync(kept)) renameSync(kept, manifest);
}

/** The process that ran this one's shell: npm, for a lifecycle script (npm → sh -c → node); undefined where ps cannot tell. */
function npmPid() {
  try {
    const pid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(process.ppid)], { encoding: 'utf8' }).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Waits for `pid` to end, then restores the kept package.json (postpack restored it already when the pack went through). */
function guard(pid) {
  const timer = setInterval(() => {
    if (!existsSync(kept)) clearInterval(timer);
    else if (!isAlive(pid)) {
      clearInterval(timer);
      restore();
    }
  }, GUARD_POLL_MS);
}

function strip() {
  restore();
  const source = readFileSync(manifest, 'utf8');
  const published = JSON.parse(source);
  delete published.scripts;
  writeFileSync(kept, source);
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
  const pid = npmPid();
  if (pid !== undefined)
    spawn(process.execPath, [fileURLToPath(import.meta.url), 'guard', String(pid)], { detached: true, stdio: 'ignore' }).unref();
}

const step = process.argv[2];
if (step === 'strip') strip();
else if (step === 'restore') restore();
else if (step === 'guard') guard(Number(process.argv[3]));
else {
  process.stderr.write(`pack-manifest: give strip or restore, got: ${JSON.stringify(step ?? null)}\n`);
  process.exitCode = 64;
}
