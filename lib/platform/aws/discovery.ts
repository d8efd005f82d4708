import { GetParameterCommand, type SSMClient } from './sdk/ssm.js';
import { UnavailableError } from '../../core/errors.js';
import type { FunctionNames } from '../../core/stage-names.js';
import { parseStageRecord, stageRecordName, type StageRecord } from '../../core/stage-record.js';
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
  return readRecordValue(name, value, address);
}

function readRecordValue(name: string, value: string | undefined, address: StageAddress): StageRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch (error) {
    throw invalidRecord(name, 'it is not JSON', error);
  }
  const problem = recordProblem(parsed, address);
  if (problem !== undefined) throw invalidRecord(name, problem);
  const checked = parseStageRecord(parsed);
  if (!checked.ok) throw invalidRecord(name, checked.problem);
  return checked.record;
}

function invalidRecord(name: string, problem: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`The stage record at ${name} cannot be read: ${problem}.`, {
    hint: 'Redeploy the stage; if a newer cnf-admin deployed it, upgrade cnf-admin.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** What makes a record another one than this stage's, said before its fields are checked. */
function recordProblem(value: unknown, address: StageAddress): string | undefined {
  if (typeof value !== 'object' || value === null) return 'it is not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.version !== 1) return `its format version is ${JSON.stringify(record.version)}, and this cnf-admin reads version 1`;
  if (record.app !== address.app || record.stage !== address.stage) {
    return `it describes app ${JSON.stringify(record.app)} stage ${JSON.stringify(record.stage)}`;
  }
  return undefined;
}

export { findStageRecord, functionNamesOf, readStageRecord };
export type { StageAddress };
