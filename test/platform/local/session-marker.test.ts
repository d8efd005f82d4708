import { describe, expect, it } from 'vitest';
import { sessionMarker, sessionToken } from '../../../lib/platform/local/session-marker.js';
import { SecretRedactor } from '../../../lib/runtime/redact-secrets.js';

describe('sessionToken', () => {
  it('draws a token whose markers no secure value of the stage is found in: a PIN of hex digits never cuts one', () => {
    // 2,500 PINs of four hex digits: some 40% of tokens drawn at random hold one of them, and would be cut.
    const likely = new SecretRedactor([...Array(2500).keys()].map((pin) => pin.toString(16).padStart(4, '0')));
    for (let draw = 0; draw < 50; draw += 1) {
      const token = sessionToken(likely);
      for (const kind of ['result', 'complete'] as const) expect(likely.text(sessionMarker(token, kind))).toBe(sessionMarker(token, kind));
    }
  });

  it('is 16 hex digits, drawn afresh for each session', () => {
    const none = new SecretRedactor([]);
    const [first, second] = [sessionToken(none), sessionToken(none)];
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(first).not.toBe(second);
  });
});
