import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { NODE_TARGET } from '../../core/node-runtime.js';

const codes = new Map<string, string>();

/**
 * A custom resource provider's code: the module `<name>` of this directory
 * as CommonJS, small enough to inline in the template. It is read beside
 * this module, with this module's extension: the TypeScript source in this
 * repository, the compiled `.js` in the installed package
 * (`dist/lib/construct/private/`). The module may import only the AWS SDK
 * of the Lambda runtime, and types.
 *
 * @example
 * inlineHandlerCode('release-phase-handler');
 */
function inlineHandlerCode(name: string): string {
  let code = codes.get(name);
  if (code === undefined) {
    const here = fileURLToPath(import.meta.url);
    const source = readFileSync(join(dirname(here), `${name}${extname(here)}`), 'utf8');
    code = transformSync(source, { loader: 'ts', format: 'cjs', target: NODE_TARGET, charset: 'utf8' }).code;
    codes.set(name, code);
  }
  return code;
}

export { inlineHandlerCode };
