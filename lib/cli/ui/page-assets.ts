import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnavailableError } from '../../core/errors.js';
import { toolRoot } from '../../core/tool-root.js';
import { TOKEN_PARAMETER } from './request-guard.js';

/** The page's built files, as `tools/build-ui.mjs` writes them to `dist/ui/`. */
const ASSETS: Readonly<Record<string, string>> = {
  '/assets/app.js': 'text/javascript; charset=utf-8',
  '/assets/app.css': 'text/css; charset=utf-8',
};

/** The page's bundled script and styles, read once from the package. */
class PageAssets {
  readonly #files = new Map<string, Buffer>();

  private constructor() {}

  /**
   * Loads the built page from `dist/ui/`.
   *
   * @throws UnavailableError when the package was built without it.
   */
  static async load(): Promise<PageAssets> {
    const assets = new PageAssets();
    for (const path of Object.keys(ASSETS)) {
      const file = join(toolRoot(), 'dist', 'ui', path.slice('/assets/'.length));
      try {
        assets.#files.set(path, await readFile(file));
      } catch (error) {
        throw new UnavailableError(`The page of cnf-admin ui is missing (${file}).`, {
          hint: 'Build cnf-admin again: npm run build',
          cause: error,
        });
      }
    }
    return assets;
  }

  /** The asset at `path`, with its content type, or undefined. */
  asset(path: string): { readonly body: Buffer; readonly type: string } | undefined {
    const body = this.#files.get(path);
    const type = ASSETS[path];
    return body === undefined || type === undefined ? undefined : { body, type };
  }

  /**
   * The one HTML document every page address answers with: no inline
   * script, the script and styles loaded from this server with the token
   * (every request carries it); the script draws the page the address names.
   * An empty icon keeps the browser from asking for `/favicon.ico` (a 404
   * without the token) at each load.
   */
  shell(token: string): string {
    const query = `?${TOKEN_PARAMETER}=${encodeURIComponent(token)}`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>cnf-admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css${query}">
<script type="module" src="/assets/app.js${query}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><nav aria-label="Sections" id="nav"></nav><span id="stage" class="stage"></span></header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<div id="announce" class="visually-hidden" aria-live="polite"></div>
</body>
</html>
`;
  }
}

export { PageAssets };
