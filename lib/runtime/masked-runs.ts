import type { RunFrame } from '../core/platform.js';
import type { RunRecord, RunResult } from '../core/run.js';
import type { SecretRedactor } from './redact-secrets.js';

/* The types of the frames of a run's log, as the CLI and the ui's page read them: words of cnf-admin's own. */
const FRAME_TYPES: ReadonlySet<string> = new Set(['log', 'line', 'notice', 'result']);

/* The keys under which an answer of cnf-admin's (a run, a frame, a page's answer) holds the task's own data. */
const DATA_KEYS: ReadonlySet<string> = new Set(['args', 'output']);

/**
 * A document of cnf-admin's (what `ui` answers its page) masked of the
 * secure values `redactor` holds: every string, and under `args` and
 * `output` (and a run record's `result`) the task's own data whole, keys
 * too; the document's own keys are kept. Masked whole, a secure value
 * `type` cut the key out of every log frame the page reads, and `ation`
 * `durationMs` out of every run.
 */
function maskedDocument(redactor: SecretRedactor, value: unknown): unknown {
  if (!redactor.active) return value;
  if (typeof value === 'string') return redactor.text(value);
  if (Array.isArray(value)) return value.map((item) => maskedDocument(redactor, item));
  if (typeof value !== 'object' || value === null) return value;
  // A run record's result is the task's output (a RunResult's own keys are cnf-admin's: it holds `output`).
  const record = 'argsHash' in value || 'startedAt' in value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      // A frame's `type` is a word of cnf-admin's (`line`, `result`), which no reader would know redacted; no other is kept.
      key === 'type' && typeof item === 'string' && FRAME_TYPES.has(item)
        ? item
        : DATA_KEYS.has(key) || (record && key === 'result')
          ? redactor.value(item)
          : maskedDocument(redactor, item),
    ]),
  );
}

/**
 * A run's record or result as it is read back, masked as any document of
 * cnf-admin's ({@link maskedDocument}): the task's data (args, output, a
 * record's result) in its keys too, every other field in its values only.
 * Redacted whole, a secure value that is a piece of one of the record's own
 * keys (`ation`, in `durationMs`) cut that key out: `runs show` then read no
 * duration.
 */
function maskedRun<T extends RunRecord | RunResult>(redactor: SecretRedactor, run: T): T {
  return maskedDocument(redactor, run) as T;
}

/**
 * A frame of a run's log as it is read back, masked the same way: its own
 * keys (`type`, `line`) kept. Redacted whole, a secure value `type` or
 * `line` left frames that no reader took for one: `logs` showed nothing.
 */
function maskedFrame(redactor: SecretRedactor, frame: RunFrame): RunFrame {
  return maskedDocument(redactor, frame) as RunFrame;
}

export { maskedDocument, maskedFrame, maskedRun };
