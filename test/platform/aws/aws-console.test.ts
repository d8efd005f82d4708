import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { InvokeOptions, InvokePlan, RunFrame } from '../../../lib/core/platform.js';
import type { AdminEvent } from '../../../lib/core/run.js';
import { AwsConsoleSession } from '../../../lib/platform/aws/aws-console.js';

const PLAN: InvokePlan = {
  stage: 'prod',
  alias: 'live',
  release: 'r-0123456789ab',
  webVersion: '3',
  adminVersion: '4',
  qualifier: 'live',
  notices: [],
};

async function collect(frames: AsyncIterable<RunFrame>): Promise<RunFrame[]> {
  const all: RunFrame[] = [];
  for await (const frame of frames) all.push(frame);
  return all;
}

/** A platform whose every invocation answers with `output`, or, told so, waits until the caller stops waiting. */
function platformAnswering(output: Record<string, unknown>, hang = false) {
  return {
    async *invoke(
      _plan: InvokePlan,
      event: AdminEvent & { readonly runId: string },
      options: InvokeOptions = {},
    ): AsyncGenerator<RunFrame> {
      yield { type: 'log', line: 'started' };
      if (hang) {
        if (options.signal?.aborted !== true)
          await new Promise((resolve) => options.signal?.addEventListener('abort', resolve, { once: true }));
        return;
      }
      yield { type: 'result', result: { runId: event.runId, task: event.task, release: PLAN.release, exitCode: 0, durationMs: 1, output } };
    },
  };
}

describe('AwsConsoleSession', () => {
  it('completes members from the carried state and from the scope members of the last answer, names from its names', async () => {
    const state = serialize({ rows: [{ title: 'a' }], total: 3 }).toString('base64');
    const session = new AwsConsoleSession(
      platformAnswering({ result: '3', names: ['db', 'notes', 'rows', 'total'], state, members: { notes: ['listNotes', 'addNote'] } }),
      PLAN,
      'alice',
    );
    await collect(session.evaluate('const rows = [{ title: "a" }]; const total = 3'));
    expect(await session.complete('notes.')).toEqual([['notes.listNotes', 'notes.addNote'], 'notes.']);
    const [rowsMembers] = await session.complete('rows.');
    expect(rowsMembers).toEqual(expect.arrayContaining(['rows.length', 'rows.map', 'rows.filter']));
    expect((await session.complete('rows[0].'))[0]).toEqual([]);
    expect((await session.complete('tot'))[0]).toEqual(['total']);
    expect((await session.complete('con'))[0]).toEqual(['config', 'console', 'const', 'continue']);
    expect((await session.complete('Math.PI'))[0]).toEqual(['Math.PI']);
  });

  it('sends no saved state after .clear, and asks for the value as JSON with --json', async () => {
    const state = serialize({ total: 3 }).toString('base64');
    const sent: AdminEvent[] = [];
    const answering = platformAnswering({ result: '3', names: ['total'], state });
    const session = new AwsConsoleSession(
      {
        invoke: (plan, event, options) => {
          sent.push(event);
          return answering.invoke(plan, event, options);
        },
      },
      PLAN,
      'alice',
    );
    await collect(session.evaluate('const total = 3'));
    await collect(session.evaluate('total', { json: true }));
    expect(sent[1]?.args).toMatchObject({ state, json: true });
    await session.clear();
    expect((await session.complete('tot'))[0]).toEqual([]);
    await collect(session.evaluate('typeof total'));
    expect(sent[2]?.args).toMatchObject({ state: '' });
    expect(sent[2]?.args).not.toHaveProperty('json');
  });

  it('stops waiting when interrupted, saying that the evaluation may still run in Lambda and how to see it', async () => {
    const session = new AwsConsoleSession(platformAnswering({}, true), PLAN, 'alice');
    const interrupt = new AbortController();
    const frames = collect(session.evaluate('await longJob()', { signal: interrupt.signal }));
    interrupt.abort();
    const seen = await frames;
    expect(seen.some((frame) => frame.type === 'result')).toBe(false);
    const notice = seen.find((frame) => frame.type === 'notice');
    expect(notice).toMatchObject({ type: 'notice', message: expect.stringContaining('the evaluation may still run in Lambda') });
    expect(notice).toMatchObject({ message: expect.stringMatching(/cnf-admin logs \S+ --stage prod/) });
  });
});
