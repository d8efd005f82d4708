import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CnfError, UsageError, type Fault } from '../../core/errors.js';
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
  try {
    await tsImport(pathToFileURL(entry).href, import.meta.url);
  } catch (error) {
    throw asCnfError(error);
  }
  // An app may set its own exit code (this repository's does); it is the command's.
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

/**
 * The app loads the constructs through the package's `exports`
 * (`cnf-admin/construct`), a copy of the error classes other than the CLI's
 * bundled one: an error of theirs is recognised by its shape, so that it is
 * reported as what it is (one line, its exit code), not as a crash.
 */
function asCnfError(error: unknown): unknown {
  if (error instanceof CnfError || typeof error !== 'object' || error === null) return error;
  const { name, message, exitCode, fault, hint } = error as Partial<Record<'name' | 'message' | 'hint' | 'fault', unknown>> & {
    exitCode?: unknown;
  };
  if (typeof message !== 'string' || typeof exitCode !== 'number' || (fault !== 'user' && fault !== 'tool')) return error;
  const reported = new CnfError(message, exitCode, fault as Fault, { cause: error, ...(typeof hint === 'string' ? { hint } : {}) });
  if (typeof name === 'string') reported.name = name;
  return reported;
}

export { cdkApp };
