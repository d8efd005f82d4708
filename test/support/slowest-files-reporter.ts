/**
 * A vitest reporter that prints the ten slowest test files at the end of
 * each run, with their project, so that what makes `npm test` slow is in
 * plain sight. It adds to the default reporter (see vitest.config.ts).
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** How many files the list shows. */
const SHOWN = 10;

/** A file's time: its tests and hooks, plus importing it (where a slow file often spends its time). */
function fileMs(module: TestModule): number {
  const diagnostic = module.diagnostic();
  return diagnostic.duration + diagnostic.collectDuration + diagnostic.setupDuration;
}

/** Prints the {@link SHOWN} slowest test files of a run. */
export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (testModules.length === 0) return;
    const slowest = [...testModules].sort((a, b) => fileMs(b) - fileMs(a)).slice(0, SHOWN);
    const lines = slowest.map((module) => {
      const seconds = `${(fileMs(module) / 1000).toFixed(1)}s`.padStart(7);
      return `  ${seconds}  ${module.project.name.padEnd(4)}  ${relative(process.cwd(), module.moduleId)}`;
    });
    process.stdout.write(`\nSlowest test files:\n${lines.join('\n')}\n`);
  }
}
