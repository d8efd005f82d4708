/**
 * `cnf-admin console` on an AWS stage through the real binary, with AWS
 * mocked at the SDK clients: what an interrupt does where Lambda cannot be
 * told to stop.
 */
import { describe, expect, it } from 'vitest';
import { spawnAwsCli } from '../support/aws-cli.js';
import { healthyScenario } from '../support/aws-scenario.js';

describe('cnf-admin console --stage prod (the real binary, AWS mocked)', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} stops waiting for the evaluation, says it may still run in Lambda and how to see it, and exits 130`, async () => {
      // given: an evaluation that shows a line and goes on
      const scenario = healthyScenario({
        record: { console: true },
        stream: { frames: [{ type: 'log', line: 'still counting' }], after: 'hang' },
      });
      const { child, done } = spawnAwsCli(['console', '--stage', 'prod', '-e', 'await countEverything()'], scenario);

      // when: the signal comes once the output shows
      let shown = '';
      await new Promise<void>((resolve) =>
        child.stdout?.on('data', (chunk: Buffer) => {
          shown += chunk.toString();
          if (shown.includes('still counting')) resolve();
        }),
      );
      child.kill(signal);
      const { code, stderr } = await done;

      // then
      expect(code).toBe(130);
      expect(stderr).toMatch(
        /Stopped waiting for run (\d{8}-\d{6}-\w{6}): the evaluation may still run in Lambda, and what it declares will not reach this session\. See it with: cnf-admin logs \1 --stage prod \(or cnf-admin runs --stage prod --all\)/,
      );
      expect(stderr).not.toContain('Uncaught');
    });
  }
});
