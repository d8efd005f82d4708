/**
 * The layers of DESIGN.md, checked on the sources: imports point downward
 * only, the runtime that ships inside the bundle imports nothing of the CLI,
 * the CDK or the platforms, and only the constructs import aws-cdk-lib.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli.js';

interface SourceImport {
  readonly file: string;
  readonly specifier: string;
  /** For a relative import, the layer it points into (`lib/core`, `lib/cli`, ...). */
  readonly layer?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)));
}

function importsOf(file: string): SourceImport[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  // TypeScript's own scanner: static and dynamic imports, never code quoted in a string (init's templates).
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
  return specifiers.map((specifier) => {
    if (!specifier.startsWith('.')) return { file, specifier };
    const target = relative(REPO_ROOT, resolve(dirname(join(REPO_ROOT, file)), specifier));
    const layer = /^(lib\/[a-z]+|lambda|bin)/.exec(target)?.[1];
    return { file, specifier, ...(layer === undefined ? {} : { layer }) };
  });
}

/** The string, template and regular expression literals of a source file (not its comments). */
function literalsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(REPO_ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isRegularExpressionLiteral(node) || ts.isTemplateLiteralToken(node))
      found.push(`${file}: ${node.getText(source)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function violations(dir: string, allowed: (found: SourceImport) => boolean): string[] {
  return sourceFiles(dir)
    .flatMap(importsOf)
    .filter((found) => !allowed(found))
    .map((found) => `${found.file} imports ${found.specifier}`);
}

const CDK = /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/;

describe('the layers', () => {
  it('keep lib/core free of the AWS SDK, the CDK, esbuild, the CLI and every layer above it', () => {
    expect(
      violations(
        'lib/core',
        (found) =>
          (found.layer === undefined || found.layer === 'lib/core') &&
          !/^(@aws-sdk|esbuild|commander)/.test(found.specifier) &&
          !CDK.test(found.specifier),
      ),
    ).toEqual([]);
  });

  it('keep the runtime, which ships in the bundle, free of the CLI, the CDK, the bundler and the platforms', () => {
    expect(
      violations(
        'lib/runtime',
        (found) =>
          (found.layer === undefined || found.layer === 'lib/runtime' || found.layer === 'lib/core') &&
          !/^(esbuild|commander)/.test(found.specifier) &&
          !CDK.test(found.specifier),
      ),
    ).toEqual([]);
  });

  it('let only the constructs import the CDK', () => {
    for (const dir of ['lib/core', 'lib/runtime', 'lib/bundle', 'lib/platform', 'lib/cli', 'lambda']) {
      expect(violations(dir, (found) => !CDK.test(found.specifier))).toEqual([]);
    }
  });

  it('keep the platforms and the bundler below the CLI', () => {
    expect(violations('lib/platform', (found) => found.layer !== 'lib/cli' && found.layer !== 'lib/construct')).toEqual([]);
    expect(
      violations('lib/bundle', (found) => found.layer === undefined || found.layer === 'lib/core' || found.layer === 'lib/bundle'),
    ).toEqual([]);
  });

  it('let the CLI reach the platforms only through their factory module, asking for capabilities', () => {
    // The factory, the door for what invoke and deploy read of the local stage before the factory has loaded, and db's.
    const doors = ['lib/platform/open-platform.js', 'lib/platform/local-early.js', 'lib/platform/open-local-database.js'];
    const internals = violations('lib/cli', (found) => {
      if (found.layer !== 'lib/platform') return true;
      const target = relative(REPO_ROOT, resolve(dirname(join(REPO_ROOT, found.file)), found.specifier));
      return doors.includes(target);
    });
    expect(internals).toEqual([]);
    // No test of which class a platform is and no cast to one: a platform's capabilities are asked for.
    expect(
      sourceFiles('lib/cli').filter((file) => /\b(LocalPlatform|AwsPlatform)\b/.test(readFileSync(join(REPO_ROOT, file), 'utf8'))),
    ).toEqual([]);
  });

  it("keep Lambda's own log text out of the CLI: the platform parses it into the log frame", () => {
    const lambdaText = /RequestId|platform\.(start|report|runtimeDone)/;
    expect(sourceFiles('lib/cli').flatMap((file) => literalsOf(file).filter((literal) => lambdaText.test(literal)))).toEqual([]);
  });

  it("let one module name AWS's throttling and access-denied errors, which the runtime and the AWS platform both read", () => {
    // A literal that is such a name ('ThrottlingException'), or a pattern that looks for one (/Throttl/).
    const named =
      /^[^:]+: (['"`](Throttl|TooManyRequests|ProvisionedThroughput|AccessDenied|Unauthorized)\w*['"`]|\/.*(Throttl|AccessDenied|Unauthorized).*\/\w*)$/;
    const owner = 'lib/runtime/aws-error-names.ts';
    expect(literalsOf(owner).filter((literal) => named.test(literal)).length).toBeGreaterThanOrEqual(9);
    const elsewhere = ['lib/runtime', 'lib/platform', 'lib/cli', 'lib/core']
      .flatMap((dir) => sourceFiles(dir))
      .filter((file) => file !== owner)
      .flatMap((file) => literalsOf(file).filter((literal) => named.test(literal)));
    expect(elsewhere).toEqual([]);
  });

  it('let lib/core own the shared file utilities (atomic writes, the file lock) that the runtime, the platforms and the CLI use', () => {
    const shared = ['atomic-file.ts', 'file-lock.ts'];
    expect(sourceFiles('lib/core/files')).toEqual(expect.arrayContaining(shared.map((name) => `lib/core/files/${name}`)));
    const elsewhere = ['lib/runtime', 'lib/platform', 'lib/cli', 'lib/bundle', 'lib/construct']
      .flatMap((dir) => sourceFiles(dir))
      .filter((file) => shared.some((name) => file.endsWith(`/${name}`)));
    expect(elsewhere).toEqual([]);
  });

  it('keep the web entry from importing any task module', () => {
    expect(
      importsOf('lambda/web.ts').filter((found) => found.specifier.includes('tasks/') || found.specifier === 'cnf-admin/runtime'),
    ).toEqual([]);
  });
});
