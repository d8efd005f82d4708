import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { UnavailableError } from '../../core/errors.js';
import type { FunctionNames } from '../../core/function-names.js';
import { stageRecordName, type StageRecord } from '../../core/stage-record.js';
import { isNotFound, translateAwsError } from './aws-errors.js';

/** The stage record names a different thing than the convention said: its own word wins. */
function functionNamesOf(record: StageRecord): FunctionNames {
  return { web: record.web.functionName, admin: record.admin.functionName };
}

/** A stage to discover: the app, the stage, and where to look. */
interface StageAddress {
  readonly app: string;
  readonly stage: string;
  /** For the message when the stage is not there. */
  readonly region: string;
}

/**
 * Reads a stage's discovery record: one SSM `GetParameter` of
 * `/<app>/<stage>/_cnf/stage`, which the CDK construct writes on every deploy.
 *
 * @throws UnavailableError when the stage is not deployed (no record, exit
 * 69, saying how to deploy it) or its record is not one this CLI can read.
 */
async function readStageRecord(ssm: SSMClient, address: StageAddress): Promise<StageRecord> {
  const record = await findStageRecord(ssm, address);
  if (record !== undefined) return record;
  throw new UnavailableError(
    `Stage ${address.stage} of app ${address.app} is not deployed in ${address.region}: there is no stage record at ${stageRecordName(address.app, address.stage)}.`,
    { hint: `Deploy it with: npx cdk deploy -c stage=${address.stage} (or pass --region if it lives in another region).` },
  );
}

/**
 * Reads a stage's discovery record, as {@link readStageRecord} does, for a
 * caller that can do without one: undefined when the stage is not deployed yet.
 *
 * @throws UnavailableError when the record is not one this CLI can read.
 */
async function findStageRecord(ssm: SSMClient, address: StageAddress): Promise<StageRecord | undefined> {
  const name = stageRecordName(address.app, address.stage);
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, { action: 'ssm:GetParameter', resource: `parameter ${name}`, stage: address.stage });
  }
  return parseStageRecord(name, value, address);
}

function parseStageRecord(name: string, value: string | undefined, address: StageAddress): StageRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch (error) {
    throw invalidRecord(name, 'it is not JSON', error);
  }
  const problem = recordProblem(parsed, address);
  if (problem !== undefined) throw invalidRecord(name, problem);
  return parsed as StageRecord;
}

function invalidRecord(name: string, problem: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`The stage record at ${name} cannot be read: ${problem}.`, {
    hint: 'Redeploy the stage; if a newer cnf-admin deployed it, upgrade cnf-admin.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function recordProblem(value: unknown, address: StageAddress): string | undefined {
  if (typeof value !== 'object' || value === null) return 'it is not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.version !== 1) return `its format version is ${JSON.stringify(record.version)}, and this cnf-admin reads version 1`;
  if (record.app !== address.app || record.stage !== address.stage) {
    return `it describes app ${JSON.stringify(record.app)} stage ${JSON.stringify(record.stage)}`;
  }
  for (const key of ['region', 'aliasName', 'parameterPath'] as const) {
    if (typeof record[key] !== 'string') return `"${key}" must be a string, got ${JSON.stringify(record[key])}`;
  }
  for (const key of ['web', 'admin'] as const) {
    const fn = record[key] as Record<string, unknown> | undefined;
    if (typeof fn?.functionName !== 'string' || typeof fn.logGroup !== 'string') {
      return `"${key}" must name a functionName and a logGroup, got ${JSON.stringify(fn)}`;
    }
  }
  const timeout = (record.admin as Record<string, unknown>).timeoutSeconds;
  if (typeof timeout !== 'number' || !(timeout > 0))
    return `"admin.timeoutSeconds" must be a number of seconds, got ${JSON.stringify(timeout)}`;
  if (record.ledgerTable !== undefined && typeof record.ledgerTable !== 'string') {
    return `"ledgerTable" must be a table name, got ${JSON.stringify(record.ledgerTable)}`;
  }
  if (record.parameterKey !== undefined && typeof record.parameterKey !== 'string') {
    return `"parameterKey" must be a KMS key ARN, got ${JSON.stringify(record.parameterKey)}`;
  }
  return undefined;
}

export { findStageRecord, functionNamesOf, readStageRecord };
export type { StageAddress };
