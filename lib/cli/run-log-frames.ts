import type { LogsOptions, Platform, RunFrame } from '../core/platform.js';
import { ROLLBACK_TASK } from '../core/rollback.js';
import { resultOfRecord } from '../core/run.js';

const FOLLOW_POLL_MS = 200;

/**
 * What `logs`, `runs show` and the `ui` page show of a run's log on `stage`:
 * its log, from the platform, or, for a run that writes none (a rollback's,
 * which the CLI runs and records itself), a line that says so and, once the
 * ledger has it, the run's end. Where the run's record is shown above the
 * log (`runs show`, the page: `recordShown`), the line points to it; else to
 * the command that shows it.
 */
async function* runLogFrames(
  platform: Platform,
  stage: string,
  runId: string,
  options: LogsOptions = {},
  recordShown = false,
): AsyncGenerator<RunFrame> {
  let record = await platform.run(runId);
  if (record?.task !== ROLLBACK_TASK) {
    yield* platform.logs(runId, options);
    return;
  }
  const where = recordShown
    ? 'its record above says what it did'
    : `its record says what it did (cnf-admin runs show ${runId} --stage ${stage})`;
  yield { type: 'notice', message: `Run ${runId} is a rollback, which writes no log of its own: ${where}.` };
  while (record?.endedAt === undefined && options.follow === true && options.signal?.aborted !== true) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    record = await platform.run(runId);
  }
  if (record?.endedAt !== undefined) yield { type: 'result', result: resultOfRecord(record) };
}

export { runLogFrames };
