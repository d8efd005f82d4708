// The public API's reports: one per entry point of the exports map, written
// by API Extractor from the built .d.ts files (npm run build) into api/.
//
//   node tools/api-report.mjs           check: fails when the API differs from api/*.api.md (npm test runs it)
//   node tools/api-report.mjs --update  rewrites api/*.api.md (npm run api:update); commit them with the change
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each entry point of package.json's exports map, and its report's name. */
const ENTRY_POINTS = [
  { subpath: 'cnf-admin/runtime', types: 'dist/lib/runtime/index.d.ts', report: 'runtime' },
  { subpath: 'cnf-admin/runtime/config', types: 'dist/lib/runtime/config.d.ts', report: 'runtime-config' },
  { subpath: 'cnf-admin/migrations', types: 'dist/lib/runtime/migrations/index.d.ts', report: 'migrations' },
  { subpath: 'cnf-admin/bundle', types: 'dist/lib/bundle/index.d.ts', report: 'bundle' },
  { subpath: 'cnf-admin/construct', types: 'dist/lib/construct/index.d.ts', report: 'construct' },
];

/** API Extractor's configuration for one entry point: its report only (no rollup, no doc model). */
function extractorConfig(entry) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: join(root, entry.types),
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: true,
            types: ['node'],
          },
          files: [join(root, entry.types)],
        },
      },
      apiReport: { enabled: true, reportFileName: `${entry.report}.api.md`, reportFolder: join(root, 'api'), reportTempFolder: temp },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          // Every export of an entry point is public: cnf-admin does not tag releases (@beta, @internal).
          'ae-missing-release-tag': { logLevel: 'none' },
          // The report marks undocumented members itself; STYLE.md asks TSDoc of exports, not of every member.
          'ae-undocumented': { logLevel: 'none' },
        },
        // The TSDoc here follows the CDK's dialect (`@default`, braces in prose), which strict TSDoc flags.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(root, 'package.json'),
  });
}

const update = process.argv.includes('--update');
const temp = mkdtempSync(join(tmpdir(), 'cnf-api-report-'));
const failed = [];
try {
  const configs = ENTRY_POINTS.map((entry) => ({ entry, config: extractorConfig(entry) }));
  // One TypeScript program for all entry points: analysing them is the slow part.
  const compilerState = CompilerState.create(configs[0].config, {
    additionalEntryPoints: configs.map(({ config }) => config.mainEntryPointFilePath),
  });
  for (const { entry, config } of configs) {
    const result = Extractor.invoke(config, { localBuild: update, compilerState });
    if (!result.succeeded || (!update && result.apiReportChanged)) failed.push(entry.subpath);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
if (failed.length > 0) {
  process.stderr.write(
    update
      ? `\nAPI Extractor reported problems for ${failed.join(', ')} (above).\n`
      : `\nThe public API of ${failed.join(', ')} differs from api/*.api.md, or API Extractor reported problems (above).\n` +
          'If the change is intended, run `npm run api:update` and commit api/ with it.\n',
  );
  process.exitCode = 1;
}
