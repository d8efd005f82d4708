import { afterEach } from 'vitest';
import type { RunFrame } from '../../lib/core/platform.js';
import { healthyScenario, installScenario, type AwsScenario, type InstalledScenario } from './aws-scenario.js';

/**
 * Gives a test file `given(overrides)`: installs the healthy stage with
 * `overrides` (replacing what an earlier `given` installed), restored after
 * each test.
 */
function useAwsScenario(): (overrides?: Partial<AwsScenario>) => InstalledScenario {
  let installed: InstalledScenario | undefined;
  afterEach(() => {
    installed?.restore();
    installed = undefined;
  });
  return (overrides = {}) => {
    installed?.restore();
    installed = installScenario(healthyScenario(overrides));
    return installed;
  };
}

/** Every frame of a run, read to its end. */
async function framesOf(iterable: AsyncIterable<RunFrame>): Promise<RunFrame[]> {
  const frames: RunFrame[] = [];
  for await (const frame of iterable) frames.push(frame);
  return frames;
}

/** The log lines among frames. */
function logLinesOf(frames: readonly RunFrame[]): string[] {
  return frames.flatMap((frame) => (frame.type === 'log' ? [frame.line] : []));
}

/** The notices among frames, one a line. */
function noticesOf(frames: readonly RunFrame[]): string {
  return frames.flatMap((frame) => (frame.type === 'notice' ? [frame.message] : [])).join('\n');
}

export { framesOf, logLinesOf, noticesOf, useAwsScenario };
