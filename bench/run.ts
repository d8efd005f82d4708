/**
 * `npm run bench`: runs every `bench/*.bench.ts` and prints each figure as a
 * ratio against a baseline measured in the same run (these machines are
 * shared and noisy), with its target.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Benchmark, BenchResult } from './support/measure.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts') && (only === undefined || file.includes(only)))
  .sort();

const results: BenchResult[] = [];
for (const file of files) {
  const benchmark = (await import(pathToFileURL(join(dir, file)).href)) as { default: Benchmark };
  process.stderr.write(`running ${file}\n`);
  for (const result of await benchmark.default()) {
    results.push(result);
    const suffix = result.unit === 'ratio' ? 'x' : result.unit === 'count' ? '' : ` ${result.unit}`;
    const value = `${result.unit === 'count' ? String(result.value) : result.value.toFixed(result.unit === 'ratio' ? 2 : 1)}${suffix}`;
    const target =
      result.target === undefined ? '' : ` (target <= ${result.target}${suffix}: ${result.value <= result.target ? 'met' : 'MISSED'})`;
    process.stdout.write(`${result.name}: ${value}${target}\n    ${result.detail}\n`);
  }
}
const missed = results.filter((result) => result.target !== undefined && result.value > result.target);
process.stdout.write(`\n${results.length} figures, ${missed.length} above target\n`);
