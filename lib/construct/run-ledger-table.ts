import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LEDGER_INDEXES, LEDGER_TABLE } from '../core/ledger-table.js';

/** Props of {@link RunLedgerTable}. */
interface RunLedgerTableProps {
  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE: the ledger is the audit
   * trail of every admin run; only a rolled-back creation removes it
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The run ledger of an AWS stage: a DynamoDB table in the layout of
 * `LEDGER_TABLE` (`lib/core/ledger-table.ts`) that records every admin run
 * and holds the task locks.
 *
 * On-demand billing, point-in-time recovery, encrypted with the AWS managed
 * key, and a TTL on `expiresAt` so that old runs expire on their own.
 */
class RunLedgerTable extends Construct {
  /** The DynamoDB table. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: RunLedgerTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Resource', {
      partitionKey: { name: LEDGER_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: LEDGER_TABLE.ttlAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    for (const index of LEDGER_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /** The table's name. */
  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Lets `grantee` keep the ledger as the admin handler does: claim a run and
   * take a lock with conditional writes, finish a run, release a lock, and
   * list runs through the indexes. No scans, no table management.
   */
  grantWriteRuns(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      resourceArns: [this.table.tableArn],
    }).combine(this.grantQueryIndexes(grantee));
  }

  /** Lets `grantee` read runs as `cnf-admin runs` does: get one, or query the table and its indexes. */
  grantReadRuns(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resourceArns: [this.table.tableArn],
    }).combine(this.grantQueryIndexes(grantee));
  }

  private grantQueryIndexes(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: LEDGER_INDEXES.map((index) => `${this.table.tableArn}/index/${index.indexName}`),
    });
  }
}

export { RunLedgerTable };
export type { RunLedgerTableProps };
