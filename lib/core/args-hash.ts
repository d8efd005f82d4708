import { createHash } from 'node:crypto';

/** A value as JSON with its object keys sorted, so that equal args compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The hash a run record keeps of its args as the schema parsed them
 * (defaults applied), before any redaction:
 * a run id reused with other args is told apart by it even where the
 * recorded args read the same (`[redacted]`, `[redacted: 8 characters]`).
 * The run id salts it, so equal args of two runs hash differently; it is no
 * secret, so a guess of a secret arg can be checked against the hash
 * (docs/secrets.md).
 *
 * @example
 * argsHash('20261124-143927-k3f9qz', { apiToken: 'a', count: 2 }); // 'sha256:5c1e…'
 */
function argsHash(runId: string, args: Readonly<Record<string, unknown>>): string {
  return `sha256:${createHash('sha256')
    .update(`${runId}\n${canonicalJson(args)}`)
    .digest('hex')}`;
}

export { argsHash, canonicalJson };
