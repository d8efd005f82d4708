import { describe, expect, it } from 'vitest';
import { mayRunHere } from '../../../lib/platform/local/standby-runner.js';

describe('mayRunHere: whether the shim starts a run process before the CLI loads', () => {
  it.each([
    [['invoke', 'migrate'], true],
    [['invoke', 'migrate', '--stage', 'local'], true],
    [['invoke', 'migrate', '-s', 'local', '--json'], true],
    [['invoke', 'migrate', '--', '--stage', 'prod', '--dry-run'], true],
    [['invoke', 'migrate', '--dry-run'], false],
    [['invoke', 'migrate', '--detach'], false],
    [['invoke', 'migrate', '--stage', 'prod'], false],
    [['invoke', 'migrate', '-s', 'prod'], false],
    [['invoke', 'migrate', '--stage=prod'], false],
  ] as const)('%j: %s', (argv, expected) => {
    expect(mayRunHere(argv)).toBe(expected);
  });
});
