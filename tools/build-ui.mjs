// Bundles the page of `cnf-admin ui` (ui-page/) into dist/ui/app.js and
// dist/ui/app.css with esbuild: one script file (no inline script, no
// chunks to load with the token) and its styles, uPlot's included. The
// package ships them: the page loads nothing from elsewhere and works offline.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist/ui/. */
async function buildUi() {
  await build({
    absWorkingDir: root,
    entryPoints: { app: 'ui-page/main.ts' },
    outdir: 'dist/ui',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

export { buildUi };
