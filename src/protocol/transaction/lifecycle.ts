// The lifecycle of a transaction record (SPEC §3.3, §7): how it is read and how it changes. Every change
// is a compare-and-set transition; recording results (the ACS's own when a challenge or decoupled
// authentication ends, or a client's RReq) is one of them, and whoever wins the compare-and-set of that
// write counts it and starts the results push. Reads materialize what is already due (a decoupled
// authentication past its time, a challenge past its deadline), so nothing depends on a timer in a
// worker that may have died.
import { mutate, type Versioned } from '../../store/store.js';
import type { ProtocolCore } from '../core.js';
import type { ResultsRequest } from '../wire/messages.js';
import { type ChallengeOutcome, isExpired, timedOut } from './challenge-machine.js';
import { finalOutcome, type TransactionRecord } from './record.js';
import { challengeRReq, decoupledRReq, resultsResponse } from './results-messages.js';
import { traceResults } from './trail-notes.js';

/** Returns the record with results set (final), or undefined when it cannot take results any more. */
export function withResults(
  rec: TransactionRecord,
  rq: ResultsRequest,
  now: number,
  source: 'acs' | 'client',
): TransactionRecord | undefined {
  if (rec.results || (rec.stage !== 'challenge' && rec.stage !== 'decoupled')) return undefined;
  const next: TransactionRecord = {
    ...rec,
    stage: 'completed',
    final: true,
    updatedAt: now,
    results: { request: rq, response: resultsResponse(rec, rq.messageVersion), recordedAt: now, source },
  };
  if (next.challenge && next.challenge.status === 'open') next.challenge = { ...next.challenge, status: 'done' };
  delete next.decoupledDueAt;
  return next;
}

/** After a transition this worker won: count the outcome and push it. */
export function afterResults(core: ProtocolCore, rec: TransactionRecord): void {
  const rq = rec.results?.request;
  if (!rq) return;
  core.metrics.counter('threeds_transactions_total').inc({ flow: rec.auth?.flow ?? 'browser', trans_status: rq.transStatus });
  traceResults(core, rec);
  const due = core.due;
  const id = rec.threeDSServerTransID;
  // Results recorded: the challenge timeout queued for this transaction has nothing left to do.
  if (due && rec.challenge) due.remove({ kind: 'challenge', id, attempt: 1 }).catch(() => undefined);
  const url = rec.auth?.resultsURL;
  const payload = finalOutcome(rec);
  if (!url || !payload) return;
  if (!due) {
    core.pusher.push(url, payload);
    return;
  }
  // Shared due queue (SPEC §19): the push is kept in Redis, due once a lease from now, while this worker
  // delivers it at once; it removes the job when done. Were this instance to die first, a live one claims
  // the job and pushes again from the record (at least once). One connection keeps the ZADD before the ZREM.
  const job = { kind: 'push', id, attempt: 1 } as const;
  due.schedule(job, core.now() + due.leaseMs).catch((err: unknown) =>
    core.logger.warn('results push not queued in the store; pushed from this worker only', {
      threeDSServerTransID: id,
      err: err as Error,
    }),
  );
  core.pusher.push(url, payload, (aborted) => {
    // Cut short by shutdown: left queued, so a live instance delivers it after the lease.
    if (!aborted) due.remove(job).catch(() => undefined);
  });
}

/**
 * Applies `fn` with compare-and-set retries and runs afterResults when the stored write is one that
 * recorded results. Returns the stored record (null when unknown).
 */
export async function transition(
  core: ProtocolCore,
  id: string,
  fn: (cur: TransactionRecord) => TransactionRecord | undefined,
  /** The record as just read (loadVersioned): the first compare-and-set goes against it, no re-read. */
  from?: Versioned<TransactionRecord>,
): Promise<{ record: TransactionRecord; version: number; changed: boolean } | null> {
  let changed = false;
  let completed = false;
  const stored = await mutate(
    core.store,
    id,
    (cur) => {
      const next = fn(cur);
      changed = next !== undefined;
      completed = changed && !cur.results && next?.results !== undefined;
      return next;
    },
    undefined,
    undefined,
    from,
  );
  if (!stored) return null;
  if (completed) afterResults(core, stored.value);
  return { record: stored.value, version: stored.version, changed };
}

/** What a read must apply first: a decoupled authentication past due, a challenge past its deadline. */
function dueTransition(core: ProtocolCore, rec: TransactionRecord): TransactionRecord | undefined {
  const now = core.now();
  if (rec.stage === 'decoupled' && rec.decoupledDueAt !== undefined && now >= rec.decoupledDueAt) {
    return withResults(rec, decoupledRReq(core, rec), now, 'acs');
  }
  if (rec.stage === 'challenge' && rec.challenge && isExpired(rec.challenge, now)) {
    const step = timedOut(rec.challenge);
    const withState = { ...rec, challenge: step.state };
    return withResults(withState, challengeRReq(core, withState, step.state.outcome as ChallengeOutcome), now, 'acs');
  }
  return undefined;
}

/** Reads a record and materializes what is due. Null when unknown. */
export async function loadRecord(core: ProtocolCore, id: string): Promise<TransactionRecord | null> {
  return (await loadVersioned(core, id))?.value ?? null;
}

/** loadRecord with the version read, for a transition that follows (transition's `from`). */
export async function loadVersioned(core: ProtocolCore, id: string): Promise<Versioned<TransactionRecord> | null> {
  const cur = await core.store.get(id);
  if (!cur) return null;
  if (!dueTransition(core, cur.value)) return cur;
  const r = await transition(core, id, (c) => dueTransition(core, c), cur);
  return r ? { value: r.record, version: r.version } : null;
}
