import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../../core/errors.js';
import type { CliIo } from '../io.js';

/**
 * `cnf-admin cdk-app <file>`: runs a TypeScript CDK app, as cdk.json's
 * `"app"` names it (`npx cnf-admin cdk-app bin/cdk-app.ts`), in this process,
 * with the TypeScript loader cnf-admin brings (tsx): a project needs no
 * runner of its own. A user's mistake that the constructs report (an
 * unknown stage, code that does not build) ends with one line and its exit
 * code, not a stack trace; the CDK app synthesises when it is done, as
 * under any runner.
 */
async function cdkApp(file: string, io: CliIo): Promise<number> {
  const entry = resolve(io.cwd, file);
  if (!existsSync(entry)) {
    throw new UsageError(`No CDK app at ${entry}.`, {
      hint: 'Name the file that creates the App, e.g. "app": "npx cnf-admin cdk-app bin/cdk-app.ts" in cdk.json.',
    });
  }
  const { tsImport } = await import('tsx/esm/api');
  // The constructs' errors come from the package's own copy of the error classes; the CLI knows them by their brand (isCnfError).
  await tsImport(pathToFileURL(entry).href, import.meta.url);
  // An app may set its own exit code (this repository's does); it is the command's.
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

export { cdkApp };
