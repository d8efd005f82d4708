// npm pack and npm publish: the published package.json carries no `scripts`.
// Every script here runs a file the package does not ship (tools/, bench/, the
// tests), and npm 11 warns about a dependency's `prepare` when an app installs
// it. npm reads the scripts it runs before prepack, and tars package.json from
// disk after it:
//
//   node tools/pack-manifest.mjs strip     (prepack) keep package.json aside, write it without scripts
//   node tools/pack-manifest.mjs restore   (postpack) put the kept package.json back, byte for byte
//
// A pack that died between the two left the kept file: strip puts it back first.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const kept = new URL('../.package.json.packing', import.meta.url);

function restore() {
  if (existsSync(kept)) renameSync(kept, manifest);
}

function strip() {
  restore();
  const source = readFileSync(manifest, 'utf8');
  const published = JSON.parse(source);
  delete published.scripts;
  writeFileSync(kept, source);
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
}

const step = process.argv[2];
if (step === 'strip') strip();
else if (step === 'restore') restore();
else {
  process.stderr.write(`pack-manifest: give strip or restore, got: ${JSON.stringify(step ?? null)}\n`);
  process.exitCode = 64;
}
