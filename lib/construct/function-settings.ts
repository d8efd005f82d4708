import type { IConstruct } from 'constructs';
import { Duration, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConstructValidationError } from './errors.js';

/** Settings of the web or the admin function. */
interface FunctionSettings {
  /**
   * The memory of the function, in MiB (128 to 10240).
   *
   * @default - 512 for web, 1024 for admin
   */
  readonly memorySize?: number;
  /**
   * How long one invocation may run (at most 15 minutes).
   *
   * @default - Duration.seconds(10) for web, Duration.minutes(15) for admin
   */
  readonly timeout?: Duration;
  /**
   * How long the function's log group keeps its logs.
   *
   * @default - RetentionDays.ONE_MONTH for web; RetentionDays.THIRTEEN_MONTHS
   * (400 days, as long as the run ledger keeps a run) for admin
   */
  readonly logRetention?: RetentionDays;
}

/** Function settings with every default filled in. */
type ResolvedFunctionSettings = Required<FunctionSettings>;

/** The web function's defaults: short requests, logs for a month. */
const WEB_DEFAULTS: ResolvedFunctionSettings = {
  memorySize: 512,
  timeout: Duration.seconds(10),
  logRetention: RetentionDays.ONE_MONTH,
};

/** The admin function's defaults: Lambda's longest run, logs as long as the ledger keeps runs. */
const ADMIN_DEFAULTS: ResolvedFunctionSettings = {
  memorySize: 1024,
  timeout: Duration.minutes(15),
  logRetention: RetentionDays.THIRTEEN_MONTHS,
};

const MIN_MEMORY = 128;
const MAX_MEMORY = 10_240;
const MAX_TIMEOUT_SECONDS = 15 * 60;

/**
 * Fills in the defaults of one function's settings and checks the values
 * Lambda would refuse at deploy time.
 *
 * @param scope the construct whose props they are
 * @param where the prop the settings came from, e.g. `admin`.
 * @throws ConstructValidationError naming the prop and the value.
 */
function resolveFunctionSettings(
  scope: IConstruct,
  settings: FunctionSettings | undefined,
  defaults: ResolvedFunctionSettings,
  where: string,
): ResolvedFunctionSettings {
  const resolved = { ...defaults, ...definedOnly(settings ?? {}) };
  const { memorySize, timeout } = resolved;
  if (!Token.isUnresolved(memorySize) && !(Number.isInteger(memorySize) && memorySize >= MIN_MEMORY && memorySize <= MAX_MEMORY)) {
    throw new ConstructValidationError(
      scope,
      `${where}.memorySize must be a whole number of MiB from ${MIN_MEMORY} to ${MAX_MEMORY}, got: ${memorySize}`,
    );
  }
  const seconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new ConstructValidationError(
      scope,
      `${where}.timeout must be whole seconds from 1 second to 15 minutes, got: ${timeout.toHumanString()}`,
    );
  }
  return resolved;
}

function definedOnly(settings: FunctionSettings): FunctionSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

export { ADMIN_DEFAULTS, resolveFunctionSettings, WEB_DEFAULTS };
export type { FunctionSettings, ResolvedFunctionSettings };
