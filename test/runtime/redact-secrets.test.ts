/**
 * The redactor, as a class of leaks: every form a secure value takes on its
 * way out (raw, JSON, util.inspect, escaped twice, line by line), values
 * that hold the same object twice, overlapping secrets, secrets split across
 * writes, and the refusal of values too short to redact.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, REDACTED, SecretRedactor, secretValueProblem } from '../../lib/runtime/redact-secrets.js';

/** A PEM-like secret with every character that JSON or util.inspect escapes. */
const PEM = `-----BEGIN PRIVATE KEY-----\nMIIEvQIB"ADANBgkq\\hkiG9w0B'AQEF\tAASC\`BKcw\n-----END PRIVATE KEY-----`;
const PASSWORD = `pa"ss\\wo'rd`;

const redactor = new SecretRedactor([PEM, PASSWORD]);

/** Every way the secrets could still show in a text. */
function leaks(text: string): string[] {
  const secrets = [PEM, PASSWORD, ...PEM.split('\n')];
  const forms = secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1), inspect(secret).slice(1, -1)]);
  return forms.filter((form) => text.includes(form));
}

describe('SecretRedactor.text', () => {
  it.each([
    ['raw', (value: string) => `value: ${value}`],
    ['JSON', (value: string) => JSON.stringify({ value })],
    ['JSON in JSON', (value: string) => JSON.stringify({ line: JSON.stringify({ value }) })],
    ['util.inspect', (value: string) => inspect({ value })],
    ['util.inspect of a top-level string', (value: string) => inspect(value)],
    ['util.inspect of an array', (value: string) => inspect([value, value])],
    ['an inspected value in a JSON line', (value: string) => JSON.stringify({ message: inspect({ value }) })],
    ['an error stack', (value: string) => new Error(`bad ${value}`).stack ?? ''],
    ['an inspected error with a cause', (value: string) => inspect(new Error('outer', { cause: new Error(`inner ${value}`) }))],
  ])('redacts the %s form of each secret', (_form, show) => {
    for (const secret of [PEM, PASSWORD]) {
      const text = redactor.text(show(secret));
      expect(leaks(text)).toEqual([]);
      expect(text).toContain(REDACTED);
    }
  });

  it('redacts a string that util.inspect splits into one quoted piece per line', () => {
    const shown = inspect({ nested: { key: PEM } }, { breakLength: 40 });
    expect(shown).toContain("' +\n");
    expect(leaks(redactor.text(shown))).toEqual([]);
  });

  it('replaces the match, never text inside its own replacement: the secret "dact" shows as [redacted]', () => {
    const dact = new SecretRedactor(['dact', 'redacted']);
    expect(dact.text('dact')).toBe(REDACTED);
    expect(dact.text('x [redacted] y dact')).toBe('x [redacted] y [redacted]');
    expect(new SecretRedactor(['dact']).text('[redacted]')).toBe(REDACTED);
  });

  it('redacts overlapping and nested secrets as one span', () => {
    const overlap = new SecretRedactor(['abcdef', 'defghi', 'cdef']);
    expect(overlap.text('xx abcdefghi yy')).toBe('xx [redacted] yy');
    expect(overlap.text('xx cdef yy abcdef')).toBe('xx [redacted] yy [redacted]');
    expect(overlap.text('abcdefabcdef')).toBe(REDACTED);
  });

  it("redacts a URL's password where it shows alone, as written and percent-decoded, as a client that parses the URL prints it", () => {
    const url = new SecretRedactor(['postgres://app:p%40ss-w0rd@db.internal:5432/app']);
    const parsed = new URL('postgres://app:p%40ss-w0rd@db.internal:5432/app');
    expect(url.text(`password: ${parsed.password}`)).toBe(`password: ${REDACTED}`);
    expect(url.text(JSON.stringify({ user: 'app', password: decodeURIComponent(parsed.password) }))).toBe(
      `{"user":"app","password":"${REDACTED}"}`,
    );
    // The user and the host are no secret; a password too short to redact is left as it is, like any short secret.
    expect(new SecretRedactor(['postgres://app:abc@db/app']).text('abc at db')).toBe('abc at db');
    // A `%` that starts no escape: the password as written.
    expect(new SecretRedactor(['https://u:100%off@h/']).text('100%off')).toBe(REDACTED);
  });
  it('leaves a text without secrets, and secrets under the minimum length, alone', () => {
    expect(redactor.text('nothing here')).toBe('nothing here');
    const short = new SecretRedactor(['on', 'abc']);
    expect(short.active).toBe(false);
    expect(short.text('on and on, abc')).toBe('on and on, abc');
  });
});

describe('SecretRedactor.value', () => {
  it('redacts an object at every place it is referenced, in objects and arrays', () => {
    const o = { token: PASSWORD, deeper: { pem: PEM } };
    const copy = redactor.value({ a: o, b: o, list: [o, o] }) as Record<string, unknown>;
    expect(JSON.stringify(copy)).not.toContain('pa');
    expect(copy).toEqual({
      a: { token: REDACTED, deeper: { pem: REDACTED } },
      b: { token: REDACTED, deeper: { pem: REDACTED } },
      list: [
        { token: REDACTED, deeper: { pem: REDACTED } },
        { token: REDACTED, deeper: { pem: REDACTED } },
      ],
    });
  });

  it('keeps a cycle a cycle, of redacted copies', () => {
    const node: Record<string, unknown> = { token: PASSWORD };
    node.self = node;
    const copy = redactor.value(node) as Record<string, unknown>;
    expect(copy.token).toBe(REDACTED);
    expect(copy.self).toBe(copy);
    expect(node.token).toBe(PASSWORD);
  });
});

describe('SecretRedactor.stream', () => {
  it('finds a secret split at every point across two writes', () => {
    const text = `start ${JSON.stringify({ key: PEM })} and ${PASSWORD} end\n`;
    for (let cut = 0; cut <= text.length; cut += 1) {
      const stream = redactor.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      expect(out).toBe(redactor.text(text));
    }
  });

  it('finds a secret written one character at a time, and the marker split across writes stays whole', () => {
    const text = `a ${PASSWORD} b [redacted] c dact\n`;
    const dact = new SecretRedactor([PASSWORD, 'dact']);
    const stream = dact.stream();
    const out = [...text].map((char) => stream.push(char)).join('') + stream.end();
    expect(out).toBe('a [redacted] b [redacted] c [redacted]\n');
  });

  it('holds back only a tail that could start a secret', () => {
    const stream = redactor.stream();
    expect(stream.push('line one\n')).toBe('line one\n');
    expect(stream.push('then pa"s')).toBe('then ');
    expect(stream.push('sive\n')).toBe('pa"ssive\n');
    expect(stream.end()).toBe('');
  });
});

describe('secretValueProblem', () => {
  it(`refuses a secure value under ${MIN_SECRET_LENGTH} characters, naming the key and the minimum`, () => {
    expect(secretValueProblem('PIN', 'abc')).toMatch(/at least 4 characters.*PIN has 3/);
    expect(secretValueProblem('PIN', 'abcd')).toBeUndefined();
  });

  it.each(['true', 'false', 'null'])('refuses %s, a word of JSON that every log line may hold', (word) => {
    expect(secretValueProblem('FLAG', word)).toMatch(/a word of JSON itself.*FLAG is no secret/);
    // what redacting it would do to a log line
    expect(() => JSON.parse(new SecretRedactor([word]).text(`{"dryRun":${word}}`))).toThrow(SyntaxError);
  });

  it.each(['message', 'level', 'runId', 'exitCode', 'INFO', 'ERROR'])(
    'refuses %s, a word of every run log line (a key or a level)',
    (word) => {
      expect(secretValueProblem('WORD', word)).toMatch(/a word of every run's log line.*WORD is no secret/);
    },
  );

  it('refuses the words whose redaction would leave a run log line unreadable as one', () => {
    const line = JSON.stringify({ level: 'INFO', message: 'Run ended', runId: 'r1', exitCode: 0 });
    const redacted = JSON.parse(new SecretRedactor(['message']).text(line)) as Record<string, unknown>;
    expect(redacted).not.toHaveProperty('message');
    expect(secretValueProblem('WORD', 'message')).toBeDefined();
  });

  it('takes a word that only looks like one: True, nullify, Info, messages', () => {
    expect(secretValueProblem('FLAG', 'Info')).toBeUndefined();
    expect(secretValueProblem('FLAG', 'messages')).toBeUndefined();
    expect(secretValueProblem('FLAG', 'True')).toBeUndefined();
    expect(secretValueProblem('FLAG', 'nullify')).toBeUndefined();
  });
});
