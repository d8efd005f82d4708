import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installHint, isPackageInstalled, packageOfSpecifier, PEER_PACKAGES } from '../../lib/core/missing-package.js';
import { REPO_ROOT } from '../support/cli.js';

describe('packageOfSpecifier', () => {
  it('is the package a bare specifier names, scoped or not, with or without a subpath', () => {
    expect(packageOfSpecifier('zod')).toBe('zod');
    expect(packageOfSpecifier('zod/v4/locales/en.js')).toBe('zod');
    expect(packageOfSpecifier('@aws-sdk/client-s3')).toBe('@aws-sdk/client-s3');
    expect(packageOfSpecifier('@aws-sdk/client-s3/dist/x.js')).toBe('@aws-sdk/client-s3');
  });

  it('is undefined for a path, a URL, a built-in or a bare scope', () => {
    for (const specifier of ['./tasks/hello.js', '../db.js', '/abs/x.js', 'node:fs', 'file:///x.js', '@scope']) {
      expect(packageOfSpecifier(specifier)).toBeUndefined();
    }
  });
});

describe('isPackageInstalled', () => {
  it('looks in node_modules of the directory and of every one above it', () => {
    const base = mkdtempSync(join(tmpdir(), 'cnf-missing-package-'));
    try {
      mkdirSync(join(base, 'node_modules', '@s', 'p'), { recursive: true });
      writeFileSync(join(base, 'node_modules', '@s', 'p', 'package.json'), '{}');
      mkdirSync(join(base, 'app', 'lambda'), { recursive: true });
      expect(isPackageInstalled('@s/p', join(base, 'app', 'lambda'))).toBe(true);
      expect(isPackageInstalled('zod-not-here', join(base, 'app', 'lambda'))).toBe(false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('installHint', () => {
  it('gives the npm install line, and names the peer dependencies of cnf-admin among the packages', () => {
    expect(installHint(['left-pad'])).toBe('Install it: npm install -D left-pad');
    expect(installHint(['zod'])).toBe(
      'Install it: npm install -D zod (zod is a peer dependency of cnf-admin: the app installs it beside cnf-admin)',
    );
    expect(installHint(['aws-cdk-lib', 'constructs'])).toBe(
      'Install them: npm install -D aws-cdk-lib constructs (aws-cdk-lib and constructs are peer dependencies of cnf-admin: the app installs them beside cnf-admin)',
    );
  });

  it('knows the peer dependencies that package.json declares', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
    expect([...PEER_PACKAGES].sort()).toEqual(Object.keys(manifest.peerDependencies).sort());
  });
});
