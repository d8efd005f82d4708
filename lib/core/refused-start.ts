import { randomUUID } from 'node:crypto';
import type { RunRecord } from './run.js';

/*
 * A run locked out by another run's lock, or a container run whose start
 * ECS refused (no capacity, throttled, denied) or did not answer for (a 5xx,
 * a timeout), ran nothing known: its record
 * ends (75 or 69) and says so (`notStarted`), and a
 * retry of its run id with the same task and args takes that record over
 * instead of answering "already ran". The takeover is one conditional write
 * of the ledger, so concurrent retries start at most one task.
 */

/**
 * Whether a claim of `record` may take over `existing`: a run that never
 * started, of the same task and args (the same args hash).
 */
function takesOverRefusedStart(existing: RunRecord, record: Pick<RunRecord, 'task' | 'argsHash'>): boolean {
  return (
    existing.notStarted === true &&
    existing.endedAt !== undefined &&
    existing.task === record.task &&
    existing.argsHash !== undefined &&
    existing.argsHash === record.argsHash
  );
}

/** The record a retry claims in place of a refused start: its own, with the RunTask client token the refusal left for it. */
function retakenRecord(existing: RunRecord, record: RunRecord): RunRecord {
  return existing.clientToken === undefined ? record : { ...record, clientToken: existing.clientToken };
}

/**
 * The end of a run that never started (locked out, or its start refused by
 * ECS), as the ledger records it: a retry may take it over. RunTask answered `failures` (a complete answer,
 * which ECS keeps for its client token for a day): the retry gets a new
 * token. RunTask failed (throttled, denied; or a 5xx, a timeout, an answer
 * that could not be read, after which a task may have started): its token
 * is kept, so that a task an earlier attempt started is found, not started
 * again, and that task itself takes the record over when it runs. A run that ended in its own container task (`ecsTask`)
 * gets a new token too: its token started that task.
 */
function refusedStartRecord(ended: RunRecord, answered: boolean): RunRecord {
  // A run that ended inside its own container task (locked out there, stopped before its task began): its token
  // started that task, and ECS would answer a retry with it, stopped.
  const tokenUsed = answered || ended.ecsTask !== undefined;
  return { ...ended, notStarted: true, ...(tokenUsed ? { clientToken: randomUUID() } : {}) };
}

export { refusedStartRecord, retakenRecord, takesOverRefusedStart };
