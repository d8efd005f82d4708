import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * cnf-admin's peer dependencies (package.json's `peerDependencies`): an app
 * installs them beside it, so that the app, its CDK app and cnf-admin share
 * one copy of each.
 */
const PEER_PACKAGES: readonly string[] = ['aws-cdk-lib', 'constructs', 'zod'];

/**
 * The package a bare import specifier names: `zod/mini` is `zod`,
 * `@aws-sdk/client-s3/dist` is `@aws-sdk/client-s3`. Undefined for a
 * relative or absolute path, a URL, or a Node built-in (`node:fs`).
 *
 * @example
 * packageOfSpecifier('zod/v4/locales/en.js'); // 'zod'
 * packageOfSpecifier('./tasks/hello.js'); // undefined
 */
function packageOfSpecifier(specifier: string): string | undefined {
  if (/^[./]|^[A-Za-z][\w+.-]*:/.test(specifier)) return undefined;
  return /^(?:@[^/]+\/[^/]+|[^@/][^/]*)/.exec(specifier)?.[0];
}

/**
 * Whether `name` is installed where Node and esbuild would look for it from
 * `fromDir`: a `node_modules/<name>/package.json` in that directory or one
 * above it.
 */
function isPackageInstalled(name: string, fromDir: string): boolean {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/**
 * What to do about packages the app imports and has not installed: the
 * `npm install` line, and which of them are cnf-admin's peer dependencies
 * (an install with `--legacy-peer-deps`, or that left them out, lacks them).
 *
 * @example
 * installHint(['zod']);
 * // 'Install it: npm install -D zod (zod is a peer dependency of cnf-admin: the app installs it beside cnf-admin)'
 */
function installHint(packages: readonly string[]): string {
  const peers = packages.filter((name) => PEER_PACKAGES.includes(name));
  const peerNote =
    peers.length === 0
      ? ''
      : ` (${peers.join(' and ')} ${peers.length === 1 ? 'is a peer dependency' : 'are peer dependencies'} of cnf-admin: the app installs ${peers.length === 1 ? 'it' : 'them'} beside cnf-admin)`;
  return `Install ${packages.length === 1 ? 'it' : 'them'}: npm install -D ${packages.join(' ')}${peerNote}`;
}

export { installHint, isPackageInstalled, packageOfSpecifier, PEER_PACKAGES };
