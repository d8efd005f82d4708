import { describe, expect, it } from 'vitest';
import { progressFor, showsSpinner } from '../../lib/cli/progress.js';
import { withProgress } from '../../lib/core/progress.js';
import { memoryIo } from '../support/memory-io.js';

describe('progress off a terminal', () => {
  it('says a long wait in a plain line, its summary when it ends well, and a quiet wait not at all', async () => {
    // given
    const io = memoryIo('/', {});
    const progress = progressFor(io);

    // when
    await withProgress(progress, 'Building the bundle', async () => undefined);
    progress.start('No local release yet: deploying the working tree first').stop('ok', 'Deployed r-0123456789ab to the local stage');
    await withProgress(progress, 'Finding the release behind alias live on stage prod', async () => undefined, { quiet: true });
    progress.note('Port 5432 is taken by another program');
    const failed = withProgress(progress, 'Starting the embedded PostgreSQL', () => Promise.reject(new Error('no')));

    // then
    await expect(failed).rejects.toThrow('no');
    expect(io.stderrText()).toBe(
      [
        '· Building the bundle',
        '· No local release yet: deploying the working tree first',
        '· Deployed r-0123456789ab to the local stage',
        '· Port 5432 is taken by another program',
        '· Starting the embedded PostgreSQL',
        '',
      ].join('\n'),
    );
    expect(io.stdoutText()).toBe('');
  });
});

describe('showsSpinner', () => {
  const terminal = (env: NodeJS.ProcessEnv) => ({
    ...memoryIo('/', {}),
    env,
    stderr: Object.assign(memoryIo('/').stderr, { isTTY: true }),
  });

  it("turns only on a terminal's stderr, and never with --json, NO_COLOR, CI or TERM=dumb", () => {
    expect(showsSpinner(terminal({}), false)).toBe(true);
    expect(showsSpinner(terminal({}), true)).toBe(false);
    expect(showsSpinner(terminal({ NO_COLOR: '1' }), false)).toBe(false);
    expect(showsSpinner(terminal({ CI: 'true' }), false)).toBe(false);
    expect(showsSpinner(terminal({ TERM: 'dumb' }), false)).toBe(false);
    expect(showsSpinner({ ...memoryIo('/', {}), env: {} }, false)).toBe(false);
  });
});
