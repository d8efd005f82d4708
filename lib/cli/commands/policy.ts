import { ExitCode } from '../../core/exit-codes.js';
import { writeJson, writeLine, type CliIo } from '../io.js';
import { openAwsStage, type StageOptions } from '../stage-context.js';

/** The options of `cnf-admin policy`. */
type PolicyCommandOptions = StageOptions;

/**
 * `cnf-admin policy --stage <aws stage>`: prints the least-privilege IAM
 * policy an operator needs to run cnf-admin against the stage, as JSON.
 */
async function policy(options: PolicyCommandOptions, io: CliIo): Promise<number> {
  const { platform, stage } = await openAwsStage(io, options, 'policy');
  writeJson(io, await platform.policy());
  writeLine(io.stderr, `The IAM policy an operator needs for cnf-admin on stage ${stage.name}; attach it to their role or group.`);
  return ExitCode.OK;
}

export { policy };
export type { PolicyCommandOptions };
