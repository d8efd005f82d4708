import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { LEDGER_TABLE } from '../../lib/core/ledger-table.js';
import { RunLedgerTable } from '../../lib/construct/run-ledger-table.js';
import { logicalIdOf, newStack, removeOutdirs } from './support/admin-app-stack.js';

afterAll(removeOutdirs);

function ledgerStack(props = {}) {
  const stack = newStack('ledger');
  const ledger = new RunLedgerTable(stack, 'Ledger', props);
  return { stack, ledger };
}

describe('RunLedgerTable', () => {
  it('has the layout the runtime expects: pk, the byStartedAt, byTask and byStatus indexes, and a TTL on expiresAt', () => {
    const { stack } = ledgerStack();
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'entity', AttributeType: 'S' },
        { AttributeName: 'startedAt', AttributeType: 'S' },
        { AttributeName: 'task', AttributeType: 'S' },
        { AttributeName: 'runStatus', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStartedAt',
          KeySchema: [
            { AttributeName: 'entity', KeyType: 'HASH' },
            { AttributeName: 'startedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byTask',
          KeySchema: [
            { AttributeName: 'task', KeyType: 'HASH' },
            { AttributeName: 'startedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'runStatus', KeyType: 'HASH' },
            { AttributeName: 'startedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('bills on demand, keeps point-in-time recovery, is encrypted, and is retained as the audit trail once created', () => {
    const { stack } = ledgerStack();
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('takes another removal policy for a throwaway stage', () => {
    const { stack } = ledgerStack({ removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('grants reading runs: get and query the table and its three indexes, nothing more', () => {
    const { stack, ledger } = ledgerStack();
    const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('codebuild.amazonaws.com') });
    ledger.grantReadRuns(reader);
    const table = logicalIdOf(ledger.table);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(reader) }],
      PolicyDocument: {
        Statement: [
          { Action: ['dynamodb:GetItem', 'dynamodb:Query'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [table, 'Arn'] } },
          {
            Action: 'dynamodb:Query',
            Effect: 'Allow',
            Resource: [
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/byStartedAt']] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/byTask']] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/byStatus']] },
            ],
          },
        ],
      },
    });
  });
});
