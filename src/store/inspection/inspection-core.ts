// Inspection held in one process (SPEC §17): the primary keeps it for the embedded store, next to the
// records and with their TTL (a single process also uses it directly). Bounded three ways, the oldest
// transactions leaving first: by count (inspection.maxTransactions), by age (store.ttlSeconds after
// creation, like an untouched record) and by the bytes of everything held (inspection.maxBytes); each
// trail by its own entries and bytes (the oldest entries leave first, counted as dropped).
//
// The index is an array sorted by (createdAt, ID), the order the list pages in, beside a Map by ID.
// Entries arrive nearly in creation order, so an insertion is a short search from the end, and the bounds
// remove from the front: no scan of every entry on a write. Removing from the front of an array moves the
// rest, so a write that passes the count or byte bound removes a 64th more than it must (at most 1/64 of
// the bound below it, never above it): under full load that move happens once per ~150 transactions
// instead of on every one. Events for a transaction the index does not hold (never opened, or already
// gone) are ignored, so a trail never outlives its index entry.
import {
  applyPatch,
  type Cursor,
  compareKeys,
  type Detail,
  type InspectionBounds,
  type ListQuery,
  matches,
  type Page,
  type ResetOutcome,
  type TrailEvent,
  type TransactionSummary,
} from './inspection-types.js';

interface Held {
  summary: TransactionSummary;
  entries: string[];
  /** Bytes of entries. */
  trailBytes: number;
  dropped: number;
}

/** What an index entry costs besides its trail (the summary, the map and array slots), for the byte bound. */
const ENTRY_OVERHEAD_BYTES = 320;

export class InspectionCore {
  private readonly byId = new Map<string, Held>();
  /** Sorted by (createdAt, id), oldest first. */
  private order: Held[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private bounds: InspectionBounds,
    private readonly now: () => number = Date.now,
    sweepIntervalMs = 10_000,
  ) {
    // Idle deployments give their memory back too; writes and reads apply the bounds themselves.
    this.timer = setInterval(() => this.trim(), sweepIntervalMs);
    this.timer.unref();
  }

  get size(): number {
    return this.order.length;
  }

  /** Bytes held, as the byte bound counts them. */
  get heldBytes(): number {
    return this.bytes;
  }

  setBounds(bounds: InspectionBounds): void {
    this.bounds = bounds;
    for (const h of this.order) this.trimTrail(h);
    this.trim();
  }

  apply(ev: TrailEvent): void {
    let h = this.byId.get(ev.id);
    if (!h) {
      const created = ev.patch?.createdAt;
      if (created === undefined || created < this.now() - this.bounds.ttlMs) return;
      h = { summary: { threeDSServerTransID: ev.id, createdAt: created, updatedAt: ev.at }, entries: [], trailBytes: 0, dropped: 0 };
      this.insert(h);
      this.bytes += ENTRY_OVERHEAD_BYTES;
    }
    applyPatch(h.summary, ev.patch, ev.at);
    if (ev.entry !== undefined) {
      const n = ev.bytes ?? Buffer.byteLength(ev.entry);
      h.entries.push(ev.entry);
      h.trailBytes += n;
      this.bytes += n;
      this.trimTrail(h);
    }
    if (this.order.length > this.bounds.maxTransactions || this.bytes > this.bounds.maxBytes) this.trim(true);
  }

  list(q: ListQuery): Page {
    this.trim();
    const items: TransactionSummary[] = [];
    // Newest first: from the last entry at or below `until` (and strictly below the cursor) backwards.
    let i = this.order.length - 1;
    if (q.until !== undefined) i = Math.min(i, this.lastAtOrBelow({ createdAt: q.until, id: '\uffff' }));
    if (q.cursor !== undefined) i = Math.min(i, this.lastAtOrBelow(q.cursor) - (this.holds(q.cursor) ? 1 : 0));
    for (; i >= 0; i--) {
      const s = (this.order[i] as Held).summary;
      if (q.since !== undefined && s.createdAt < q.since) break;
      if (!matches(s, q)) continue;
      if (items.length === q.limit) return { items, next: keyOf(items[items.length - 1] as TransactionSummary) };
      items.push({ ...s });
    }
    return { items };
  }

  detail(id: string): Detail {
    this.trim();
    const h = this.byId.get(id);
    if (!h) return { summary: null, trail: null };
    return { summary: { ...h.summary }, trail: { entries: [...h.entries], dropped: h.dropped } };
  }

  reset(): ResetOutcome {
    const n = this.order.length;
    const trails = this.order.filter((h) => h.entries.length > 0).length;
    this.byId.clear();
    this.order = [];
    this.bytes = 0;
    return { transactions: n, trails };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.reset();
  }

  /**
   * Applies the index bounds: age, count, bytes; the oldest leave first. `slack`: a write passed a bound,
   * so go a 64th below it (see the header); reads and the sweep trim to the bounds exactly.
   */
  trim(slack = false): void {
    const oldest = this.now() - this.bounds.ttlMs;
    const maxCount = slack ? this.bounds.maxTransactions - Math.floor(this.bounds.maxTransactions / 64) : this.bounds.maxTransactions;
    const maxBytes = slack ? this.bounds.maxBytes - Math.floor(this.bounds.maxBytes / 64) : this.bounds.maxBytes;
    let k = 0;
    const n = this.order.length;
    while (k < n && (n - k > maxCount || this.bytes > maxBytes || (this.order[k] as Held).summary.createdAt < oldest)) {
      const h = this.order[k] as Held;
      this.byId.delete(h.summary.threeDSServerTransID);
      this.bytes -= h.trailBytes + ENTRY_OVERHEAD_BYTES;
      k++;
    }
    if (k > 0) this.order.splice(0, k);
  }

  private trimTrail(h: Held): void {
    while (h.entries.length > 1 && (h.entries.length > this.bounds.trailMaxEntries || h.trailBytes > this.bounds.trailMaxBytes)) {
      const gone = h.entries.shift() as string;
      const n = Buffer.byteLength(gone);
      h.trailBytes -= n;
      this.bytes -= n;
      h.dropped++;
    }
  }

  private insert(h: Held): void {
    this.byId.set(h.summary.threeDSServerTransID, h);
    const key = keyOf(h.summary);
    let i = this.order.length;
    while (i > 0 && compareKeys(keyOf((this.order[i - 1] as Held).summary), key) > 0) i--;
    if (i === this.order.length) this.order.push(h);
    else this.order.splice(i, 0, h);
  }

  /** Index of the last entry whose key is <= k (binary search), -1 when none. */
  private lastAtOrBelow(k: Cursor): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(keyOf((this.order[mid] as Held).summary), k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private holds(k: Cursor): boolean {
    const i = this.lastAtOrBelow(k);
    return i >= 0 && compareKeys(keyOf((this.order[i] as Held).summary), k) === 0;
  }
}

function keyOf(s: TransactionSummary): Cursor {
  return { createdAt: s.createdAt, id: s.threeDSServerTransID };
}
