// The shapes of inspection (SPEC §17): a transaction's message trail and the index of recent
// transactions, as the protocol feeds them (TrailSink), as they travel to an L2 (TrailEvent) and as the
// admin API reads them back (InspectionStore). Both live outside the transaction record, so recording them
// never adds an awaited store round trip to a flow: events are sent fire-and-forget and batched. The data
// shapes themselves are a leaf (src/types.ts), since they cross the IPC boundary.
import type { Config } from '../../config/index.js';
import type {
  Cursor,
  Detail,
  ListQuery,
  Page,
  ResetOutcome,
  SummaryPatch,
  TrailEvent,
  TrailKind,
  TransactionSummary,
} from '../../types.js';

export type { Cursor, Detail, ListQuery, Page, ResetOutcome, SummaryPatch, TrailEvent, TrailKind, TransactionSummary };

/** What the protocol calls: records one message of a transaction. Never throws, never waits. */
export interface TrailSink {
  add(id: string, kind: TrailKind, message: unknown, patch?: SummaryPatch, note?: string): void;
}

export interface InspectionBounds {
  /** inspection.maxTransactions */
  maxTransactions: number;
  /** inspection.trailMaxEntries */
  trailMaxEntries: number;
  /** inspection.trailMaxBytes */
  trailMaxBytes: number;
  /** store.ttlSeconds in ms: index entries leave this long after their creation, trails this long after their last entry. */
  ttlMs: number;
  /** inspection.maxBytes (the embedded store only). */
  maxBytes: number;
}

/** The worker's handle on inspection, over whichever L2 the configuration selects. */
export interface InspectionStore {
  /** Sends one event; fire-and-forget (a failure is counted and logged, never thrown). */
  append(ev: TrailEvent): void;
  list(q: ListQuery): Promise<Page>;
  detail(id: string): Promise<Detail>;
  /** Forgets the index and the trails (transaction records stay). */
  reset(): Promise<ResetOutcome>;
  close(): Promise<void>;
}

/** Does a summary pass the list's filters (everything but the time window and the cursor)? */
export function matches(s: TransactionSummary, q: ListQuery): boolean {
  return (
    (q.last4 === undefined || s.last4 === q.last4) &&
    (q.status === undefined || s.status === q.status) &&
    (q.flow === undefined || s.flow === q.flow) &&
    (q.api === undefined || s.api === q.api)
  );
}

/** (createdAt, id) order, the index's: negative when a is older. */
export function compareKeys(a: Cursor, b: Cursor): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Applies a patch: every field but createdAt (fixed when the entry opened); updatedAt follows the event. */
export function applyPatch(s: TransactionSummary, patch: SummaryPatch | undefined, at: number): void {
  if (patch) {
    for (const [k, v] of Object.entries(patch)) {
      if (k !== 'createdAt' && v !== undefined) (s as unknown as Record<string, unknown>)[k] = v;
    }
  }
  if (at > s.updatedAt) s.updatedAt = at;
}

/** The bounds a configuration sets. */
export function inspectionBounds(c: Config): InspectionBounds {
  const i = c.inspection;
  return {
    maxTransactions: i.maxTransactions,
    trailMaxEntries: i.trailMaxEntries,
    trailMaxBytes: i.trailMaxBytes,
    ttlMs: c.store.ttlSeconds * 1000,
    maxBytes: i.maxBytes,
  };
}
