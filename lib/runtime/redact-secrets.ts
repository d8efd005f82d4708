/**
 * The one owner of secret redaction: what a secure value looks like on its
 * way out (raw, JSON-escaped, `util.inspect`-escaped, one level of each
 * inside the other, and line by line), how a text, a value or a stream of
 * writes is redacted, and how short a secure value may be. The log tap, the
 * admin run, the local platform and the CLI use it; so can any page that
 * shows run data. docs/secrets.md states the guarantees.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';
import type { RunError } from '../core/run.js';
import { RUN_LOG_LEVELS, RUN_LOG_LINE_KEYS } from '../core/run-log.js';

/** What a secret value is replaced with, wherever it shows up. */
const REDACTED = '[redacted]';

/**
 * The shortest secure value cnf-admin accepts (`config set --secure`) and
 * redacts: replacing every "1" or "on" in a log would destroy the log and
 * protect nothing, so shorter secure values are refused.
 */
const MIN_SECRET_LENGTH = 4;

/**
 * Why a secure value cannot be kept safely, or undefined when it can: too
 * short to redact (under {@link MIN_SECRET_LENGTH} characters), a word
 * of JSON itself (`true`, `false`, `null`), which every log line may hold,
 * or a word of a run's log line itself (a key its logger writes, such as
 * `message`, or a level, such as `INFO`).
 *
 * @example
 * secretValueProblem('API_TOKEN', 'abc'); // 'A secure value must have at least 4 characters ...'
 */
function secretValueProblem(key: string, value: string): string | undefined {
  if (value.length < MIN_SECRET_LENGTH)
    return `A secure value must have at least ${MIN_SECRET_LENGTH} characters, so that it can be redacted from every output; ${key} has ${value.length}.`;
  // Redacted wherever it shows, `true` would be cut out of every JSON line that holds a boolean, and make it no JSON.
  if (JSON_WORD.test(value))
    return `A secure value cannot be ${JSON.stringify(value)}: it is a word of JSON itself, and redacting it would break every log line that holds one; ${key} is no secret.`;
  // Redacted wherever it shows, `message` would be cut out of every line's keys: no line would read as a log line.
  if (LOG_LINE_WORDS.has(value))
    return `A secure value cannot be ${JSON.stringify(value)}: it is a word of every run's log line (a key or a level), and redacting it would break them all; ${key} is no secret.`;
  return undefined;
}

/* JSON's literals: every structured log line may hold them. */
const JSON_WORD = /^(?:true|false|null)$/;

/*
 * The words of a run's log line itself: the keys of every line and its
 * levels, the keys of a logged error, and those of the run's first and last
 * lines (lib/runtime/admin-run.ts).
 */
const LOG_LINE_WORDS: ReadonlySet<string> = new Set([
  ...RUN_LOG_LINE_KEYS,
  ...RUN_LOG_LEVELS,
  ...['error', 'name', 'location', 'stack'],
  ...['source', 'caller', 'args', 'stage', 'configFingerprint', 'configVersion', 'remainingMs', 'exitCode', 'durationMs'],
]);

/* Node's util.inspect escapes of the control characters (lib/internal/util/inspect.js, `meta`). */
const INSPECT_CONTROL: Readonly<Record<number, string>> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

/**
 * A string as `util.inspect` writes it between its quotes: control
 * characters and `\` escaped, and `'` too when inspect had to quote with `'`
 * although the text holds all three quote characters.
 */
function inspectEscaped(text: string, escapeQuote: boolean): string {
  let result = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) result += INSPECT_CONTROL[code] ?? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (char === '\\') result += '\\\\';
    else if (char === "'" && escapeQuote) result += "\\'";
    else result += char;
  }
  return result;
}

/** A string as JSON writes it between its quotes. */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

const ESCAPES: readonly ((text: string) => string)[] = [
  jsonEscaped,
  (text) => inspectEscaped(text, false),
  (text) => inspectEscaped(text, true),
];

/** Every form of `text` on its way out: raw, escaped once, and escaped twice (a JSON log line holding an inspected value, say). */
function formsOf(text: string): string[] {
  const once = ESCAPES.map((escape) => escape(text));
  const twice = once.flatMap((escaped) => ESCAPES.map((escape) => escape(escaped)));
  return [text, ...once, ...twice];
}

/* The password of a URL with credentials (`postgres://app:<password>@db/app`), as it is written in the URL. */
const URL_PASSWORD = /^[a-z][a-z\d+.-]*:\/\/[^/?#@:]*:([^/?#@]+)@/i;

/**
 * The password of a URL-shaped secret, as written and percent-decoded: a
 * client library that parses the URL prints it alone (a connection's
 * options, `new URL(url).password`). None for any other secret.
 */
function urlPasswordOf(secret: string): string[] {
  const written = URL_PASSWORD.exec(secret)?.[1];
  if (written === undefined) return [];
  let decoded = written;
  try {
    decoded = decodeURIComponent(written);
  } catch {
    // A `%` that starts no escape: the password is what is written.
  }
  return [written, decoded];
}

/**
 * The patterns that stand for one secret: its forms, and the forms of its
 * parts long enough to redact that show on their own: each line of a secret
 * of several lines (a PEM key), since `util.inspect` prints a long string of
 * lines as one quoted piece per line, and the password of a URL.
 */
function patternsOf(secret: string): string[] {
  const parts = [...secret.split(/\r?\n/), ...urlPasswordOf(secret)].filter((part) => part.length >= MIN_SECRET_LENGTH && part !== secret);
  return [secret, ...new Set(parts)].flatMap(formsOf);
}

/** A half-open span [start, end) of a text. */
interface Span {
  start: number;
  end: number;
}

/**
 * Redacts the secure values of one parameter set from text, values and
 * streams of writes.
 *
 * Every occurrence of every form of every secret (see the module's
 * summary) is found in one pass over the original text; overlapping and
 * touching matches merge into one span, and an existing `[redacted]` that a
 * match overlaps joins that span, so the result never shows part of a
 * secret and never a mangled marker (a secret `dact` inside `[redacted]`).
 * The replacement text is never scanned again. Secrets shorter than
 * {@link MIN_SECRET_LENGTH} are not redacted (`config set` refuses them).
 *
 * @example
 * const redactor = new SecretRedactor(config.secrets);
 * redactor.text('postgres://app:hunter22@db/app'); // 'postgres://app:[redacted]@db/app'
 * redactor.value({ a: o, b: o }); // every place of o redacted
 */
class SecretRedactor {
  /** Whether there is anything to redact; when not, every method returns what it is given. */
  readonly active: boolean;
  readonly #patterns: readonly string[];
  /* The patterns by their first character, and the longest one's length: what a stream's held tail is checked against. */
  readonly #byFirst = new Map<string, string[]>();
  readonly #firstCodes = new Uint8Array(0x10000);
  readonly #longest: number;

  constructor(secrets: readonly string[]) {
    const redactable = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
    this.active = redactable.length > 0;
    const patterns = new Set(redactable.flatMap(patternsOf));
    // The marker itself is a pattern: a match overlapping one joins it, and a marker split across writes is held back whole.
    if (this.active) patterns.add(REDACTED);
    this.#patterns = [...patterns].sort((a, b) => b.length - a.length);
    this.#longest = this.#patterns[0]?.length ?? 0;
    for (const pattern of this.#patterns) {
      const first = pattern[0] as string;
      this.#byFirst.set(first, [...(this.#byFirst.get(first) ?? []), pattern]);
      this.#firstCodes[first.charCodeAt(0)] = 1;
    }
  }

  /**
   * `text` with every form of every secret replaced by `[redacted]`.
   *
   * @example
   * new SecretRedactor(['a"b\\c']).text(JSON.stringify({ p: 'a"b\\c' })); // '{"p":"[redacted]"}'
   */
  text(text: string): string {
    if (!this.active || text === '') return text;
    return render(text, this.#spans(text), 0, text.length);
  }

  /**
   * A copy of a value with every string and object key redacted, at any
   * depth, as JSON would carry it (a `toJSON` is applied). An object met
   * twice (`{ a: o, b: o }`) is redacted at every place; a cycle stays a
   * cycle of redacted copies.
   *
   * @example
   * const o = { token: 'hunter22' };
   * new SecretRedactor(['hunter22']).value([o, o]); // [{ token: '[redacted]' }, { token: '[redacted]' }]
   */
  value(value: unknown): unknown {
    if (!this.active) return value;
    return this.#value(value, new Map());
  }

  /**
   * A run error with its name and message redacted, before the run result
   * leaves the handler and before the ledger keeps it.
   */
  runError(error: RunError): RunError {
    if (!this.active) return error;
    return { name: this.text(error.name), message: this.text(error.message) };
  }

  /**
   * A run's outcome with its output and error redacted: what the handler
   * returns and what the ledger records.
   *
   * @param ownKeys - the output's own keys are cnf-admin's, not the task's (a console evaluation's answer: `result`,
   * `names`): they are kept, and each value under them redacted whole. A secure value `result` emptied the console's answer.
   */
  outcome<T extends { readonly output?: unknown; readonly error?: RunError }>(outcome: T, ownKeys = false): T {
    if (!this.active) return outcome;
    const { output } = outcome;
    const keptKeys = ownKeys && typeof output === 'object' && output !== null && !Array.isArray(output);
    return {
      ...outcome,
      ...(output === undefined
        ? {}
        : {
            output: keptKeys
              ? Object.fromEntries(Object.entries(output).map(([key, value]) => [key, this.value(value)]))
              : this.value(output),
          }),
      ...(outcome.error === undefined ? {} : { error: this.runError(outcome.error) }),
    };
  }

  /**
   * A redactor for one stream of writes, which finds a secret split across
   * writes: `push` returns what may go out now and holds back a tail that
   * could be the start of a secret; `end` returns the rest.
   *
   * @example
   * const stream = redactor.stream();
   * out.write(stream.push('token: hun')); // 'token: '
   * out.write(stream.push('ter22\n'));    // '[redacted]\n'
   * out.write(stream.end());
   */
  stream(): StreamRedaction {
    return new StreamRedaction(this);
  }

  /** The merged spans to replace in `text`: every match, joined with overlapping and touching ones. */
  #spans(text: string): Span[] {
    const found: Span[] = [];
    for (const pattern of this.#patterns) {
      for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) found.push({ start: at, end: at + pattern.length });
    }
    if (found.length === 0) return found;
    found.sort((a, b) => a.start - b.start);
    const merged: Span[] = [];
    for (const span of found) {
      const last = merged.at(-1);
      if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    return merged;
  }

  /** @internal What {@link StreamRedaction} needs: the text that may go out now, and the tail to hold back. */
  split(text: string, final: boolean): { out: string; held: string } {
    if (final || !this.active) return { out: this.text(text), held: '' };
    let cut = this.#heldFrom(text);
    const spans = this.#spans(text);
    // A match that reaches into the held tail goes out with it later, whole, so that a longer secret overlapping it is seen.
    const straddling = spans.find((span) => span.start < cut && span.end > cut);
    if (straddling !== undefined) cut = straddling.start;
    return { out: render(text, spans, 0, cut), held: text.slice(cut) };
  }

  /** Where the longest tail of `text` that is the start of a pattern (but not all of it) begins; `text.length` when none is. */
  #heldFrom(text: string): number {
    // Only the last (longest pattern - 1) characters can start an unfinished match; most are no pattern's first character.
    for (let at = Math.max(0, text.length - this.#longest + 1); at < text.length; at += 1) {
      const code = text.charCodeAt(at);
      if (this.#firstCodes[code] !== 1) continue;
      const candidates = this.#byFirst.get(text[at] as string) ?? [];
      if (candidates.some((pattern) => pattern.length > text.length - at && tailStarts(text, at, pattern))) return at;
    }
    return text.length;
  }

  #value(value: unknown, copies: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    if (copies.has(value)) return copies.get(value);
    // What JSON would make of it (a Date, a class with toJSON): the result travels as JSON anyway.
    const toJson = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJson === 'function') {
      const copy = this.#value(toJson.call(value), copies);
      copies.set(value, copy);
      return copy;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      copies.set(value, copy);
      for (const item of value) copy.push(this.#value(item, copies));
      return copy;
    }
    const copy: Record<string, unknown> = {};
    copies.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[this.text(key)] = this.#value(item, copies);
    return copy;
  }
}

/** Whether `text` from `at` to its end is the start of `pattern`; compared in place, since most tails differ at once. */
function tailStarts(text: string, at: number, pattern: string): boolean {
  for (let index = at; index < text.length; index += 1) {
    if (text.charCodeAt(index) !== pattern.charCodeAt(index - at)) return false;
  }
  return true;
}

/** `text` from `from` to `to` with each span in that range replaced by the marker. */
function render(text: string, spans: readonly Span[], from: number, to: number): string {
  let result = '';
  let at = from;
  for (const span of spans) {
    if (span.end <= from || span.start >= to) continue;
    result += `${text.slice(at, span.start)}${REDACTED}`;
    at = span.end;
  }
  return result + text.slice(at, to);
}

/* A tail held back longer than this goes out: a stream must not keep growing in memory. */
const MAX_HELD_CHARS = 1 << 20;

/**
 * The redaction of one stream of writes (stdout, a pipe): a secret split
 * across writes is still found, because a tail that could be the start of
 * one is held back until the next write or the end.
 */
class StreamRedaction {
  #held = '';

  constructor(private readonly redactor: SecretRedactor) {}

  /** The redacted text that may go out now. */
  push(chunk: string): string {
    const { out, held } = this.redactor.split(this.#held + chunk, false);
    if (held.length > MAX_HELD_CHARS) {
      this.#held = '';
      return out + this.redactor.text(held);
    }
    this.#held = held;
    return out;
  }

  /** Whatever was held back, redacted: the stream ends, or a pause in it must show everything. */
  end(): string {
    const rest = this.#held;
    this.#held = '';
    return this.redactor.text(rest);
  }
}

/**
 * A readable stream's text with the secrets redacted, as a Transform to
 * pipe it through: a secret split across chunks is found, and multi-byte
 * characters split across chunks stay whole.
 *
 * @example
 * for await (const line of lines(child.stdout.pipe(redactingTransform(redactor)))) show(line);
 */
function redactingTransform(redactor: SecretRedactor): Transform {
  const redaction = redactor.stream();
  const decoder = new StringDecoder('utf8');
  return new Transform({
    decodeStrings: true,
    transform(chunk: Buffer, _encoding, done) {
      done(null, redaction.push(decoder.write(chunk)));
    },
    flush(done) {
      done(null, redaction.push(decoder.end()) + redaction.end());
    },
  });
}

export { MIN_SECRET_LENGTH, REDACTED, redactingTransform, SecretRedactor, secretValueProblem, StreamRedaction };
