import { Stack } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { stageRecordName, type StageRecord } from '../core/stage-record.js';

/** Props of {@link StageRecordParameter}. */
interface StageRecordParameterProps {
  /** The record; its region and table name may be deploy-time tokens. */
  readonly record: StageRecord;
}

/**
 * The stage discovery record: one SSM String parameter at
 * `/<app>/<stage>/_cnf/stage` whose value is the `StageRecord` as JSON, so
 * that the CLI learns everything it needs about a stage in one read.
 *
 * The record stays far below SSM's 4 KB standard tier: its longest parts
 * (app, stage and alias names, the table name) are bounded.
 */
class StageRecordParameter extends Construct {
  /** The SSM String parameter that holds the record. */
  readonly parameter: StringParameter;
  /** The record (its region and table name may be deploy-time tokens). */
  readonly record: StageRecord;

  constructor(scope: Construct, id: string, props: StageRecordParameterProps) {
    super(scope, id);
    const { record } = props;
    this.record = record;
    this.parameter = new StringParameter(this, 'Resource', {
      parameterName: stageRecordName(record.app, record.stage),
      // toJsonString, not JSON.stringify: the region and the table name resolve at deploy time.
      stringValue: Stack.of(this).toJsonString(record),
      tier: ParameterTier.STANDARD,
      description: `cnf-admin stage record of ${record.app} ${record.stage}`,
    });
  }
}

export { StageRecordParameter };
export type { StageRecordParameterProps };
