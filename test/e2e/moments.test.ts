/**
 * One format for every moment the CLI shows a person, through the real
 * binary: `2026-11-24 20:09:27`, in the machine's time zone (here one that is
 * not UTC), the same in `runs`, `runs show`, the header and lines of `logs`,
 * `releases`, `status` and `config history`; `--json` keeps ISO 8601.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestProject, type TestProject } from '../support/test-project.js';

/* India: +05:30 all year, so that a local time differs from UTC by hours and half an hour. */
const ZONE = { TZ: 'Asia/Kolkata' };
const OFFSET_MS = (5 * 60 + 30) * 60_000;

/** What a moment reads as in that zone: `2026-11-24 20:09:27` (and `.123` with milliseconds). */
function inZone(iso: string, withMilliseconds = false): string {
  const shifted = new Date(Date.parse(iso) + OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, withMilliseconds ? 23 : 19)}`;
}

const MOMENT = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

let project: TestProject;
let startedAt: string;

beforeAll(async () => {
  project = createTestProject('tasks');
  expect((await project.cli(['invoke', 'noop', '--run-id', 'moment-run'])).code).toBe(0);
  startedAt = (JSON.parse((await project.cli(['runs', 'show', 'moment-run', '--json'])).stdout) as { startedAt: string }).startedAt;
});

afterAll(async () => {
  await project.cleanup();
});

describe('moments', () => {
  it('read the same, in the local zone, in runs, runs show and the header and lines of logs', async () => {
    const shown = inZone(startedAt);
    const runs = await project.cli(['runs'], { env: { ...ZONE, COLUMNS: '200' } });
    const show = await project.cli(['runs', 'show', 'moment-run'], { env: ZONE });
    const logs = await project.cli(['logs'], { env: ZONE });
    const json = JSON.parse((await project.cli(['logs', 'moment-run', '--json'])).stdout) as { lines: { timestamp?: string }[] };

    expect(runs.stdout).toMatch(new RegExp(`^moment-run .* ${shown} `, 'm'));
    expect(show.stdout).toMatch(new RegExp(`^started +${shown}$`, 'm'));
    expect(show.stdout).toMatch(new RegExp(`^ended +${MOMENT.source}$`, 'm'));
    expect(logs.stderr).toContain(`Run moment-run (noop, started ${shown})`);
    // A log line's time of day is the same clock, to the millisecond.
    const first = json.lines.find((line) => typeof line === 'object' && line.timestamp !== undefined);
    expect(logs.stdout.split('\n')[0]).toMatch(new RegExp(`^${inZone(first?.timestamp ?? '', true).slice(11)} INFO `));
    for (const output of [runs.stdout, show.stdout, logs.stdout, logs.stderr]) expect(output).not.toMatch(ISO);
  });

  it('read the same in releases, status and config history, and --json keeps ISO 8601', async () => {
    const releases = await project.cli(['releases'], { env: ZONE });
    const status = await project.cli(['status'], { env: ZONE });
    const history = await project.cli(['config', 'history'], { env: ZONE });
    const json = JSON.parse((await project.cli(['releases', '--json'])).stdout) as { createdAt: string }[];

    expect(releases.stdout).toMatch(new RegExp(`^r-[0-9a-f]{12} .* ${inZone(json[0]?.createdAt ?? '')} `, 'm'));
    expect(status.stdout).toContain(inZone(json[0]?.createdAt ?? ''));
    expect(history.stdout).toMatch(new RegExp(`^v1 .* ${MOMENT.source} `, 'm'));
    for (const output of [releases.stdout, status.stdout, history.stdout]) expect(output).not.toMatch(ISO);
    expect(json[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
