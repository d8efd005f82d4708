import { describe, expect, it } from 'vitest';
import { writeRunFooter } from '../../../lib/cli/render/run-view.js';
import { LOST_RUN_ERROR } from '../../../lib/core/run-status.js';
import { UnknownMigrationsError } from '../../../lib/runtime/migrations/index.js';
import type { RunResult } from '../../../lib/core/run.js';
import { memoryIo } from '../../support/memory-io.js';

const ENDED: RunResult = { runId: 'r1', task: 'migrate', release: 'r-0123456789ab', exitCode: 130, durationMs: 1200 };

/** The footer line `writeRunFooter` writes for `result`. */
function footerOf(result: RunResult, env: NodeJS.ProcessEnv = {}): string {
  const io = memoryIo(process.cwd(), env);
  writeRunFooter(io, result, { output: false });
  return io.stderrText().trim();
}

describe('writeRunFooter', () => {
  it('says a run that stopped as asked stopped, in one line with no reason', () => {
    expect(footerOf(ENDED)).toBe('■ stopped · exit 130 · 1.2 s');
  });

  it('says a run whose process died before it recorded its end was lost, as runs does, not stopped', () => {
    const lost = { ...ENDED, error: { name: LOST_RUN_ERROR, message: 'its process died' } };
    expect(footerOf(lost)).toBe(`■ lost · exit 130 · 1.2 s · ${LOST_RUN_ERROR}: its process died`);
  });

  it("writes the command a run's error suggests as the user ran cnf-admin: under npx, npx cnf-admin", () => {
    const { name, message } = new UnknownMigrationsError(['0003_drop_title']);
    const refused = { ...ENDED, exitCode: 70, error: { name, message } };
    expect(footerOf(refused, { npm_command: 'exec' })).toContain(
      'run the task again with its force arg: npx cnf-admin invoke migrate -- --force',
    );
    expect(footerOf(refused)).toContain('its force arg: cnf-admin invoke migrate -- --force');
  });
});
