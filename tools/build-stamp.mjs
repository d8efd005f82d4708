// The build's stamp, dist/.build-stamp: what `npm run build` (tools/build.mjs)
// built dist/ from, so that `npm test` (tools/test.mjs) builds only when dist/
// is not current (in CI, `npm ci` has just built it through prepare).
//
// The stamp holds two sha256 digests, each over every file's path and bytes:
//   inputs   every file the build reads: lib/, ui-page/, bin/, tools/,
//            package.json, package-lock.json (the installed dependencies,
//            some of which are bundled), tsconfig.json, tsconfig.build.json
//   outputs  every file in dist/ but the stamp
// dist/ is current only when both match today's files: a changed, added or
// removed source, or a dist/ changed by hand, means a build. The build
// deletes dist/, and with it the stamp, before it writes anything.
// The tarball leaves the stamp out (package.json "files").
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(root, 'dist');
const STAMP = join(DIST, '.build-stamp');
const INPUT_DIRS = ['lib', 'ui-page', 'bin', 'tools'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** Every file under a directory (none when it is missing), absolute paths. */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** sha256 over each file's path (relative to the repository, `/`-separated), size and bytes, in path order. */
function digest(files) {
  const hash = createHash('sha256');
  const named = files.map((file) => [relative(root, file).split(sep).join('/'), file]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, file] of named) {
    const bytes = existsSync(file) ? readFileSync(file) : null;
    hash.update(`${name}\0${bytes === null ? 'missing' : bytes.length}\0`);
    if (bytes !== null) hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The digest of every input of the build, as the files are now. */
function inputsDigest() {
  return digest([...INPUT_DIRS.flatMap((dir) => filesUnder(join(root, dir))), ...INPUT_FILES.map((file) => join(root, file))]);
}

/** The digest of dist/ as it is now, the stamp left out. */
function outputsDigest() {
  return digest(filesUnder(DIST).filter((file) => file !== STAMP));
}

/** Writes the stamp after a build, with the inputs' digest taken before it began (a source edited during the build is then not taken as built). */
function writeBuildStamp(inputs) {
  writeFileSync(STAMP, `${JSON.stringify({ inputs, outputs: outputsDigest() }, null, 2)}\n`);
}

/** Whether dist/ was built by tools/build.mjs from the files as they are now, and not changed since. */
function distIsCurrent() {
  if (!existsSync(STAMP)) return false;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return false;
  }
  return stamp?.inputs === inputsDigest() && stamp?.outputs === outputsDigest();
}

export { distIsCurrent, inputsDigest, writeBuildStamp };
