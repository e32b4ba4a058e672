// An express-rate-limit Store that is exact across workers without a round trip per request (SPEC §11).
//
// The scheme. Each client key has one fixed window in a shared counter (the primary's
// RateLimitCounters, or Redis). A worker does not count single hits there: it leases a block of hits,
// spends it locally (a map lookup and a decrement per request), and asks again only when the block is
// empty. The counter grants at most max(1, floor(remaining / D)) hits per lease, and never more than
// the window has left, so blocks are large while the budget is large (the 1,000,000/s default costs a
// few leases per second per worker) and shrink to single hits as it runs out. When a lease shows the
// budget spent, the worker refuses that key locally until the window's reset time: a client hammering
// past its limit costs no IPC at all.
//
// The bound. Over-granting is impossible: every allowed request spends a hit the counter granted, and
// the counter grants at most `max` per window. Under-granting happens only through hits stranded in a
// lease that its worker does not spend before the window ends while another worker refuses. A worker
// holds at most one lease per key (it asks only when its lease is empty, one request in flight per key,
// concurrent requests wait for it) and a lease is at most max/D, so at most N·max/D hits are stranded
// for N processes sharing the counter. With D = ceil(N / 0.005) (leaseDivisor), the number of requests
// allowed in a window lies within [0.995·max, max]. A reload that changes the limits starts a new store
// and strands the old one's leases once. Fixed windows, as express-rate-limit's MemoryStore: a client
// may reach 2·max within one windowMs that straddles two windows.
//
// A counter that cannot be reached (IPC timeout, Redis down) fails open: the request is served and a
// warning logged at most every 10 s. A mock must not turn a store outage into refused traffic here.
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';
import type { RpcClient, RpcMethods } from '../../ipc.js';
import type { Logger } from '../../logger.js';

export type LeaseRequest = RpcMethods['ratelimit.lease']['params'];
export type LeaseGrant = RpcMethods['ratelimit.lease']['result'];

/** Where the shared counters live: the primary (over RPC), Redis, or in tests the counters class itself. */
export interface LeaseSource {
  lease(req: LeaseRequest): LeaseGrant | Promise<LeaseGrant>;
  reset(key: string): unknown;
}

/** Share of `max` that leases may strand, at most. */
export const LEASE_TOLERANCE = 0.005;

/** D of the scheme above for N processes sharing the counters. */
export function leaseDivisor(processes: number, tolerance = LEASE_TOLERANCE): number {
  return Math.ceil(Math.max(1, processes) / tolerance);
}

/** The counters of the primary, reached over the worker's RPC channel. */
export function rpcLeaseSource(rpc: RpcClient, timeoutMs: () => number): LeaseSource {
  return {
    lease: (req) => rpc.call('ratelimit.lease', req, timeoutMs()),
    reset: (key) => rpc.call('ratelimit.reset', { key }, timeoutMs()),
  };
}

interface Lease {
  /** Hits of the lease not spent yet. */
  left: number;
  /** Hits the counter had granted in this window, this lease included. */
  used: number;
  resetAt: number;
  resetTime: Date;
  /** The window's budget is all granted: once `left` is 0, refuse until resetAt. */
  spent: boolean;
}

export interface LeaseStoreOptions {
  source: LeaseSource;
  windowMs: number;
  max: number;
  /** leaseDivisor(processes). */
  divisor: number;
  logger?: Logger;
  /** Clock (tests); defaults to Date.now. Lease ends come from the counters' clock (the same one in a process). */
  now?: () => number;
}

const MAX_STALE_LEASES = 4;
const WARN_EVERY_MS = 10_000;

export class LeaseStore implements Store {
  /** Shared counters: keys incremented here affect other processes (express-rate-limit's double-count check). */
  readonly localKeys = false;
  readonly prefix = 'lease:';
  private readonly leases = new Map<string, Lease>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly timer: NodeJS.Timeout;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(private readonly opts: LeaseStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), Math.max(1000, opts.windowMs));
    this.timer.unref();
  }

  /**
   * Spends a hit of a lease this process holds, or answers undefined when the key needs the counter or is
   * over its limit (the middleware then takes express-rate-limit's path). Never waits.
   */
  trySpend(key: string): ClientRateLimitInfo | undefined {
    const l = this.leases.get(key);
    if (l === undefined || l.left === 0 || this.now() >= l.resetAt) return undefined;
    return this.spend(l);
  }

  /** Synchronous while the key holds an unspent lease or is known to be over its limit. */
  increment(key: string): ClientRateLimitInfo | Promise<ClientRateLimitInfo> {
    const l = this.leases.get(key);
    if (l !== undefined && this.now() < l.resetAt) {
      if (l.left > 0) return this.spend(l);
      if (l.spent) return { totalHits: this.opts.max + 1, resetTime: l.resetTime };
    }
    return this.acquire(key);
  }

  /** Gives a hit back to this worker's lease (express-rate-limit's skip*Requests options). */
  decrement(key: string): void {
    const l = this.leases.get(key);
    if (l !== undefined && this.now() < l.resetAt) l.left++;
  }

  async resetKey(key: string): Promise<void> {
    this.leases.delete(key);
    await this.opts.source.reset(key);
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const l = this.leases.get(key);
    if (l === undefined || this.now() >= l.resetAt) return undefined;
    return { totalHits: Math.max(0, l.used - l.left), resetTime: l.resetTime };
  }

  /** Keys holding a lease (ended ones until the next sweep). */
  get size(): number {
    return this.leases.size;
  }

  shutdown(): void {
    clearInterval(this.timer);
    this.leases.clear();
  }

  private spend(l: Lease): ClientRateLimitInfo {
    l.left--;
    return { totalHits: Math.min(this.opts.max, Math.max(1, l.used - l.left)), resetTime: l.resetTime };
  }

  private async acquire(key: string): Promise<ClientRateLimitInfo> {
    // Losing the race for a lease to other waiting requests is progress (each lease serves at least one
    // of them, in arrival order), so only leases that arrive already ended count towards giving up.
    let stale = 0;
    for (;;) {
      let p = this.pending.get(key);
      if (p === undefined) {
        // Deleted in a later microtask, so a source that answers (or throws) synchronously still leaves
        // the entry in place for the requests that arrive meanwhile.
        p = this.fetch(key).finally(() => this.pending.delete(key));
        this.pending.set(key, p);
      }
      if (!(await p)) return this.failOpen();
      const l = this.leases.get(key);
      if (l !== undefined && this.now() < l.resetAt) {
        if (l.left > 0) return this.spend(l);
        if (l.spent) return { totalHits: this.opts.max + 1, resetTime: l.resetTime };
        continue;
      }
      if (++stale >= MAX_STALE_LEASES) {
        this.warn('rate limit leases keep ending on arrival (clock skew?); request allowed', {});
        return this.failOpen();
      }
    }
  }

  private async fetch(key: string): Promise<boolean> {
    const { max } = this.opts;
    try {
      const g = await this.opts.source.lease({ key, windowMs: this.opts.windowMs, max, want: max, divisor: this.opts.divisor });
      this.leases.set(key, { left: g.granted, used: g.used, resetAt: g.resetTime, resetTime: new Date(g.resetTime), spent: g.used >= max });
      return true;
    } catch (err) {
      this.warn('rate limit counter unreachable; request allowed', { err: err instanceof Error ? err : String(err) });
      return false;
    }
  }

  private failOpen(): ClientRateLimitInfo {
    return { totalHits: 1, resetTime: new Date(this.now() + this.opts.windowMs) };
  }

  private warn(msg: string, fields: Record<string, unknown>): void {
    const now = this.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.opts.logger?.warn(msg, fields);
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, l] of this.leases) if (now >= l.resetAt) this.leases.delete(k);
  }
}
