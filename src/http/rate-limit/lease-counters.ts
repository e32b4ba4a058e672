// The rate limiter's shared counters for the embedded backend (SPEC §11: N workers must not multiply the
// limit), hosted by the primary (src/primary/primary-services.ts answers the workers' ratelimit.* RPCs
// with them). They live here, with the rest of rate limiting, because primary → http is the dependency
// direction. Workers do not send one hit per request: they lease blocks of hits (lease-store.ts explains
// the scheme and its error bound). This side only guarantees the two facts the bound rests on: the hits
// granted in a window never exceed `max`, and each lease is at most max(1, floor(remaining / divisor)), so
// leases shrink as the window's budget runs low. The Redis backend's Lua script (redis-lease-source.ts)
// applies the same `leaseSize`.
import type { LeaseGrant, LeaseRequest } from './lease-store.js';

/** Hits to grant: what was asked, capped by a share of what the window has left (0 when it is spent). */
export function leaseSize(remaining: number, want: number, divisor: number): number {
  if (remaining <= 0) return 0;
  const share = Math.max(1, Math.floor(remaining / Math.max(1, divisor)));
  return Math.max(0, Math.min(Math.max(1, Math.floor(want)), share, remaining));
}

interface Window {
  used: number;
  resetAt: number;
}

export interface RateLimitCountersOptions {
  /** Bound of tracked client keys; past it the oldest window is forgotten (default 500,000). */
  maxKeys?: number;
  /** Period of the sweep of ended windows (default 5000 ms). */
  sweepIntervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

export class RateLimitCounters {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout;

  constructor(opts: RateLimitCountersOptions = {}) {
    this.maxKeys = opts.maxKeys ?? 500_000;
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 5000);
    this.timer.unref();
  }

  /** Grants hits of the key's current window; a window opens at the first lease after the last one ended. */
  lease(req: LeaseRequest): LeaseGrant {
    const now = this.now();
    let w = this.windows.get(req.key);
    if (w === undefined || now >= w.resetAt) {
      if (w !== undefined) this.windows.delete(req.key);
      else if (this.windows.size >= this.maxKeys) this.evictOldest();
      // Re-inserted so that Map order stays the order in which windows opened (eviction takes the oldest).
      w = { used: 0, resetAt: now + req.windowMs };
      this.windows.set(req.key, w);
    }
    const granted = leaseSize(req.max - w.used, req.want, req.divisor);
    w.used += granted;
    return { granted, used: w.used, resetTime: w.resetAt };
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  /** Keys with a window (ended ones until the next sweep). */
  get size(): number {
    return this.windows.size;
  }

  /** Drops ended windows. */
  sweep(): void {
    const now = this.now();
    for (const [k, w] of this.windows) if (now >= w.resetAt) this.windows.delete(k);
  }

  close(): void {
    clearInterval(this.timer);
    this.windows.clear();
  }

  private evictOldest(): void {
    this.sweep();
    if (this.windows.size < this.maxKeys) return;
    // Still full of live windows: forgetting the oldest lets that client start afresh, the least harm
    // a bounded table can do. A flood of distinct addresses this large is not a load test.
    const oldest = this.windows.keys().next();
    if (!oldest.done) this.windows.delete(oldest.value);
  }
}
