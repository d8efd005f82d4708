import { describe, expect, it } from 'vitest';
import { assertValidConfigKey, fingerprintOf, MASK, printableValue } from '../../lib/core/parameter-set.js';

describe('assertValidConfigKey', () => {
  it.each(['DATABASE_URL', 'db/url', 'feature.flag-x'])('accepts %s', (key) => {
    expect(() => assertValidConfigKey(key)).not.toThrow();
  });

  it.each(['', 'has space', '/leading', 'trailing/', 'a//b'])('refuses %j', (key) => {
    expect(() => assertValidConfigKey(key)).toThrow(/Config key must be/);
  });

  it('refuses a key over 512 characters by its length, without repeating it (it may be a pasted value)', () => {
    expect(() => assertValidConfigKey('K'.repeat(512))).not.toThrow();
    expect(() => assertValidConfigKey('K'.repeat(1000))).toThrow(/^Config key is 1000 characters long; a key is at most 512\.$/);
  });

  it('refuses KEY=value as two words wanted, without repeating the value (it may be a secret)', () => {
    let message = '';
    try {
      assertValidConfigKey('API_TOKEN=s3cr3t-value');
    } catch (error) {
      message = `${(error as Error).message} ${(error as { hint?: string }).hint ?? ''}`;
    }
    expect(message).toContain('Config key "API_TOKEN" is followed by "=…"');
    expect(message).toContain('cnf-admin config set API_TOKEN <value>');
    expect(message).not.toContain('s3cr3t');
  });

  it.each(['_cnf', '_cnf/stage'])('refuses the reserved %s', (key) => {
    expect(() => assertValidConfigKey(key)).toThrow(/reserved _cnf\/ prefix/);
  });

  it.each(['__proto__', 'a/__proto__'])('refuses %s, which a task could never read', (key) => {
    expect(() => assertValidConfigKey(key)).toThrow(/__proto__ is JavaScript's own/);
  });

  it.each(['toString', 'constructor'])('accepts %s: an own entry like any other', (key) => {
    expect(() => assertValidConfigKey(key)).not.toThrow();
  });
});

describe('fingerprintOf', () => {
  it('depends on keys and values, not on order, and reveals neither', () => {
    const a = fingerprintOf([
      { key: 'A', value: 'secret-1' },
      { key: 'B', value: '2' },
    ]);
    expect(a).toMatch(/^cfg-[0-9a-f]{12}$/);
    expect(
      fingerprintOf([
        { key: 'B', value: '2' },
        { key: 'A', value: 'secret-1' },
      ]),
    ).toBe(a);
    expect(
      fingerprintOf([
        { key: 'A', value: 'secret-2' },
        { key: 'B', value: '2' },
      ]),
    ).not.toBe(a);
    expect(a).not.toContain('secret');
  });
});

describe('printableValue', () => {
  it('masks secure values only', () => {
    expect(printableValue({ key: 'A', value: 'hunter22', secure: true })).toBe(MASK);
    expect(printableValue({ key: 'B', value: 'debug', secure: false })).toBe('debug');
  });
});
