import { describe, expect, it } from 'vitest';
import { sendInvoke } from '../../../lib/platform/aws/invoke-request.js';

const CALL = { functionName: 'fixture-prod-admin', qualifier: 'live', stage: 'prod', runId: '20261206-175210-xw33kz' };

/** The SDK's error for a connection dropped after the request went out. */
function dropped(): Error {
  return Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
}

const payload = (event: unknown) => new TextEncoder().encode(JSON.stringify(event));

describe('sendInvoke of a reserved task, its answer lost', () => {
  it('a stop names the run it was to stop, not the id of its own invoke', async () => {
    const sent = sendInvoke(CALL, payload({ task: 'cnf:stop', args: { runId: 's9' }, runId: CALL.runId }), () => Promise.reject(dropped()));

    await expect(sent).rejects.toThrow('The stop of run s9 may or may not have happened');
    await expect(sent).rejects.not.toThrow(CALL.runId);
  });

  it('a run of a task names its own run id', async () => {
    const sent = sendInvoke(CALL, payload({ task: 'migrate', args: {}, runId: CALL.runId }), () => Promise.reject(dropped()));

    await expect(sent).rejects.toThrow(`Run ${CALL.runId} may or may not have happened`);
  });
});
