import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { NODE_TARGET } from '../../core/node-runtime.js';

const codes = new Map<string, string>();

/**
 * A custom resource provider's code: the module `<name>` of this directory
 * bundled as CommonJS, small enough to inline in the template. It is read
 * beside this module, with this module's extension: the TypeScript source in
 * this repository, the compiled `.js` in the installed package
 * (`dist/lib/construct/private/`). The module may import the AWS SDK of the
 * Lambda runtime (left out of the bundle), types, and small modules of this
 * directory that do the same (`cfn-response`), which the bundle carries.
 *
 * @example
 * inlineHandlerCode('release-phase-handler');
 */
function inlineHandlerCode(name: string): string {
  let code = codes.get(name);
  if (code === undefined) {
    const here = fileURLToPath(import.meta.url);
    const built = buildSync({
      entryPoints: [join(dirname(here), `${name}${extname(here)}`)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: NODE_TARGET,
      charset: 'utf8',
      external: ['@aws-sdk/*'],
      write: false,
      logLevel: 'silent',
    });
    code = built.outputFiles[0]!.text;
    codes.set(name, code);
  }
  return code;
}

export { inlineHandlerCode };
