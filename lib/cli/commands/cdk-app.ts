import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appFrame } from '../../core/app-frame.js';
import { BuildError, isCnfError, UsageError } from '../../core/errors.js';
import { installHint, isPackageInstalled, packageOfSpecifier } from '../../core/missing-package.js';
import { describeThrown, stackOf } from '../../runtime/thrown-value.js';
import { writeLine, type CliIo } from '../io.js';

/**
 * `cnf-admin cdk-app <file>`: runs a TypeScript CDK app, as cdk.json's
 * `"app"` names it (`npx cnf-admin cdk-app bin/cdk-app.ts`), in this process,
 * with the TypeScript loader cnf-admin brings (tsx): a project needs no
 * runner of its own. A user's mistake that the constructs report (an
 * unknown stage, code that does not build) ends with one line and its exit
 * code, not a stack trace. So does anything else the app throws as it runs
 * (a duplicate construct id, a TypeError in its own code): 65, naming what
 * it threw and where in the project (`CNF_DEBUG=1` prints its stack). The
 * CDK app synthesises when it is done, as under any runner.
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
  try {
    await tsImport(pathToFileURL(entry).href, import.meta.url);
  } catch (error) {
    if (isCnfError(error)) throw error;
    throw cdkAppFailure(file, error, io.cwd);
  }
  // Run by hand, not by the cdk CLI (which names the assembly's directory): say what that was, and what a synth is.
  if (io.env.CDK_OUTDIR === undefined)
    writeLine(
      io.stderr,
      `Ran the CDK app ${file} outside the cdk CLI, which is what runs it (cdk.json's "app"): nothing was deployed. Synthesise a stage with: npx cdk synth -c stage=<stage>`,
    );
  // An app may set its own exit code (this repository's does); it is the command's.
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

/**
 * What the CLI reports for an error the CDK app's own code threw: the app's
 * mistake, in one line, with its stack kept for CNF_DEBUG=1. An import of a
 * package that is not installed (aws-cdk-lib or constructs, peer
 * dependencies an install may leave out) says which, and how to install it.
 */
function cdkAppFailure(file: string, thrown: unknown, projectDir: string): BuildError {
  const { name, message } = describeThrown(thrown);
  const stack = stackOf(thrown);
  const missing = missingPackageOf(thrown, message, projectDir);
  const where = stack === undefined ? undefined : appFrame([stack], projectDir);
  const failed =
    missing === undefined
      ? new BuildError(
          `The CDK app ${file} failed${where === undefined ? '' : ` at ${where}`}: ${name === 'Error' ? '' : `${name}: `}${message}`,
          { hint: 'Fix it there, then synthesise again: nothing was synthesised. CNF_DEBUG=1 prints its whole stack.' },
        )
      : new BuildError(`The CDK app ${file} failed: it needs the package ${missing}, which is not installed.`, {
          hint: `${installHint([missing])}, then synthesise again: nothing was synthesised.`,
        });
  if (stack !== undefined) failed.stack = `${String(failed.stack)}\ncaused by: ${stack}`;
  return failed;
}

/** The package a module-not-found error of Node's names, when that package is not installed for the project. */
function missingPackageOf(thrown: unknown, message: string, projectDir: string): string | undefined {
  const code = (thrown as { code?: unknown } | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const specifier = /^Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  const name = specifier === undefined ? undefined : packageOfSpecifier(specifier);
  return name === undefined || isPackageInstalled(name, projectDir) ? undefined : name;
}

export { cdkApp };
