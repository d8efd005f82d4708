import { UsageError } from '../core/errors.js';
import type { ParameterStore, Platform } from '../core/platform.js';
import { SecretRedactor } from '../runtime/redact-secrets.js';
import { maskedDocument } from '../runtime/masked-runs.js';

/* Secure values can change while the page is open (`config set --secure`): read them again this often. */
const REFRESH_MS = 30_000;

/**
 * Masks the stage's secure values, with the runtime's own redaction: out of
 * everything `cnf-admin ui` sends its page (args, results, errors, log
 * lines), and out of what the CLI itself records (a rollback's `--reason`).
 * Where the parameter store never decrypts a secret (AWS), the runtime has
 * already redacted it from what the ledger and the log hold, and there is
 * nothing here to mask with.
 */
class SecretMask {
  #secrets: readonly string[] = [];
  #readAt = 0;

  constructor(private readonly parameters: ParameterStore) {}

  /** A copy of `value` with every secure value replaced by `[redacted]`. */
  async mask<T>(value: T): Promise<T> {
    if (Date.now() - this.#readAt > REFRESH_MS) {
      // Earlier versions' secure values too: one rotated out is still a secret, and a rollback makes it live again.
      this.#secrets = (await this.parameters.secrets?.()) ?? [];
      this.#readAt = Date.now();
    }
    return maskedDocument(new SecretRedactor(this.#secrets), value) as T;
  }

  /** Whether `text` holds a secure value. */
  async holds(text: string): Promise<boolean> {
    return (await this.mask(text)) !== text;
  }
}

/**
 * A mask to look for the stage's secure values in what was typed where no
 * secret belongs (a key, a run id, a filter), where the CLI can read them:
 * the local stage's. On AWS it lists SecureStrings without their values, so
 * a look would find nothing, for one more call: there is none.
 */
function typedSecretsOf(platform: Pick<Platform, 'kind' | 'parameters'>): SecretMask | undefined {
  return platform.kind === 'local' ? new SecretMask(platform.parameters) : undefined;
}

/**
 * `value` with the stage's secure values masked where the CLI can read them
 * (see {@link typedSecretsOf}); elsewhere `value` as it is.
 *
 * @example
 * writeLine(io.stderr, `No runs for task ${await maskTypedSecrets(platform, options.task)} yet.`);
 */
async function maskTypedSecrets<T>(platform: Pick<Platform, 'kind' | 'parameters'>, value: T): Promise<T> {
  return (await typedSecretsOf(platform)?.mask(value)) ?? value;
}

/**
 * The names a user chooses on the command line that are then shown and
 * stored: a secure value may not be one. Each with what the refusal says was
 * left undone and why.
 */
const CHOSEN_NAMES = {
  '--run-id': {
    undone: 'nothing ran',
    why: 'A run id is shown and stored everywhere (runs, logs, the ledger): choose one that is no secret.',
  },
  '--alias': {
    undone: 'nothing was deployed',
    why: 'An alias name is shown and stored everywhere (status, releases, .cnf/local/aliases.json): choose one that is no secret.',
  },
} as const;

/**
 * Refuses (64) a name chosen with `--run-id` or `--alias` that holds a
 * secure value of the stage: such a name is printed, listed, and names files
 * and records, where no secret may be. The refusal does not quote it.
 *
 * @throws UsageError when `name` holds a secure value the CLI can read (the local stage's).
 */
async function assertNameHoldsNoSecret(
  platform: Pick<Platform, 'kind' | 'parameters'>,
  flag: keyof typeof CHOSEN_NAMES,
  name: string,
  stage: string,
): Promise<void> {
  if ((await typedSecretsOf(platform)?.holds(name)) !== true) return;
  const { undone, why } = CHOSEN_NAMES[flag];
  throw new UsageError(`${flag} holds a secure value of stage ${stage}; ${undone}.`, { hint: why });
}

/**
 * Stops a command that shows runs (`runs`, `runs show`, `logs`) where the
 * stage's secure values cannot be read to mask them (the local parameter
 * set damaged: 69; unreadable: 77): shown unmasked, a run would show a
 * value made secure after it ran. On AWS the runtime redacted what the
 * ledger and the log hold, and there is nothing here to read.
 *
 * @throws UnavailableError or PermissionError from the parameter set, naming its file and what to do.
 */
async function assertSecretsReadable(platform: Pick<Platform, 'kind' | 'parameters'>): Promise<void> {
  if (platform.kind === 'local') await platform.parameters.secrets?.();
}

export { assertNameHoldsNoSecret, assertSecretsReadable, maskTypedSecrets, SecretMask, typedSecretsOf };
