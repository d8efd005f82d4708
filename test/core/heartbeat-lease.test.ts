import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock } from '../../lib/core/files/file-lock.js';
import { DynamoLedger } from '../../lib/runtime/ledger/dynamo-ledger.js';
import type { Lease } from '../../lib/core/lease.js';
import { tempDir } from '../support/temp-dir.js';

const dynamo = mockClient(DynamoDBClient);
const holder = { runId: 'run-1', caller: 'alice', since: '2026-11-24T10:00:00.000Z' };
const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** Resolves once `condition` holds, checking on every turn of the timers; rejects after `withinMs`. */
async function until(condition: () => boolean, withinMs: number): Promise<void> {
  const giveUpAt = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(10);
  }
}

function lostReason(lease: Lease): Promise<unknown> {
  return new Promise((resolve) => lease.lost.addEventListener('abort', () => resolve(lease.lost.reason), { once: true }));
}

async function dynamoLease(timing: { leaseMs: number; heartbeatMs: number }): Promise<Lease> {
  dynamo.on(PutItemCommand).resolves({});
  const lock = await new DynamoLedger('notes-prod-ledger', new DynamoDBClient({ region: 'eu-west-1' }), timing).acquireLock(
    'migrate',
    holder,
  );
  if (!lock.acquired) throw new Error('expected the lock');
  return lock.lease;
}

beforeEach(() => {
  dynamo.reset();
});

describe('a DynamoDB lease', () => {
  it('survives a throttled renewal: it retries, and the next renewal keeps the lease', async () => {
    // given renewals that are throttled twice, then go through
    dynamo.on(UpdateItemCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    const lease = await dynamoLease({ leaseMs: 600, heartbeatMs: 100 });
    // when the heartbeat runs well past the lease's life
    await until(() => dynamo.commandCalls(UpdateItemCommand).length >= 12, 5_000);
    // then the lease is still held
    expect(lease.lost.aborted).toBe(false);
    await lease.release();
  });

  it('is lost when no renewal gets through before it expires, not at the first failure', async () => {
    // given a table that throttles every renewal
    dynamo.on(UpdateItemCommand).rejects(throttled());
    const acquiredAt = Date.now();
    const lease = await dynamoLease({ leaseMs: 800, heartbeatMs: 100 });
    // when the lease runs out
    const reason = (await lostReason(lease)) as Error;
    // then it was lost only then, after several retries, saying why
    expect(Date.now() - acquiredAt).toBeGreaterThanOrEqual(700);
    expect(dynamo.commandCalls(UpdateItemCommand).length).toBeGreaterThan(2);
    expect(reason.name).toBe('LeaseExpiredError');
    expect(reason.message).toMatch(/renewals failed, the last with ThrottlingException/);
    await lease.release();
  });

  it('is lost at once when another run has taken it', async () => {
    dynamo.on(UpdateItemCommand).rejectsOnce(throttled()).rejects(conditionFailed());
    const acquiredAt = Date.now();
    const lease = await dynamoLease({ leaseMs: 5_000, heartbeatMs: 50 });
    expect(String(await lostReason(lease))).toContain('another run took it');
    expect(Date.now() - acquiredAt).toBeLessThan(2_000);
  });
});

describe('a file lease', () => {
  let frozen: string | undefined;

  afterEach(() => {
    if (frozen !== undefined) execFileSync('chattr', ['-i', frozen]);
    frozen = undefined;
  });

  it('survives renewals that fail for a while (an unwritable lock directory), and is lost when they fail until it expires', async () => {
    // given a held file lock whose directory cannot be written for a while (immutable: even root cannot write it)
    const dir = join(tempDir('cnf-lease'), 'migrate');
    const lock = await acquireFileLock(dir, holder, { leaseMs: 1_500, heartbeatMs: 100 });
    if (!lock.acquired) throw new Error('expected the lock');
    execFileSync('chattr', ['+i', dir]);
    frozen = dir;
    // when renewals fail for half the lease, then the directory is writable again
    await sleep(600);
    execFileSync('chattr', ['-i', dir]);
    frozen = undefined;
    await sleep(1_500);
    // then the lease is still held, and no other run can take it
    expect(lock.lease.lost.aborted).toBe(false);
    expect((await acquireFileLock(dir, { ...holder, runId: 'run-2' }, { leaseMs: 1_500 })).acquired).toBe(false);
    // and when the renewals fail until the lease expires, it is lost, saying why
    execFileSync('chattr', ['+i', dir]);
    frozen = dir;
    const reason = (await lostReason(lock.lease)) as Error;
    expect(reason.name).toBe('LeaseExpiredError');
    expect(reason.message).toMatch(/EPERM|operation not permitted/);
    execFileSync('chattr', ['-i', dir]);
    frozen = undefined;
    // and once given back, nothing of the failed renewals is left (one caught between its two steps keeps a temporary file till then)
    await lock.lease.release();
    expect(readdirSync(dir).some((name) => name.startsWith('.tmp-'))).toBe(false);
  });
});
