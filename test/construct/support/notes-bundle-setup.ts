/**
 * Global setup of the `cdk` project (vitest.config.ts): builds the example
 * notes app's bundle once per run and provides it to every construct test
 * file, which only read it ({@link notesBundle} in admin-app-stack.ts).
 * Without it each file built the same bundle again (esbuild and a Node process).
 */
import type { TestProject as VitestProject } from 'vitest/node';
import { buildBundle, type Bundle } from '../../../lib/bundle/build-bundle.js';
import { loadProject } from '../../../lib/core/project.js';
import { REPO_ROOT } from '../../support/cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The example notes app's bundle, built once per run; absent in projects without this setup. */
    notesBundle?: Bundle;
  }
}

/** Builds the notes app's bundle and provides it as `notesBundle`. */
export default async function setup(project: VitestProject): Promise<void> {
  project.provide('notesBundle', await buildBundle(loadProject(REPO_ROOT)));
}
