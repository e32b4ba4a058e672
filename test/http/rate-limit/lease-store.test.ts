// The lease store against the primary's real counters class: exact within the documented bound across
// several stores (workers), local refusal once a window is spent, windows that end, failures that open.
import { setImmediate as tick } from 'node:timers/promises';
import { expect } from 'chai';
import type { ClientRateLimitInfo } from 'express-rate-limit';
import { RateLimitCounters } from '../../../src/http/rate-limit/lease-counters.js';
import {
  LEASE_TOLERANCE,
  type LeaseGrant,
  type LeaseRequest,
  type LeaseSource,
  LeaseStore,
  leaseDivisor,
} from '../../../src/http/rate-limit/lease-store.js';
import { createLogger } from '../../../src/logger.js';

/** The counters behind an IPC-like hop (answers on a later turn), counting the calls. */
class CountingSource implements LeaseSource {
  calls = 0;
  fail = false;
  constructor(
    readonly counters: RateLimitCounters,
    private readonly async = true,
  ) {}
  async lease(req: LeaseRequest): Promise<LeaseGrant> {
    this.calls++;
    if (this.async) await tick();
    if (this.fail) throw new Error('primary unreachable');
    return this.counters.lease(req);
  }
  reset(key: string): void {
    this.counters.reset(key);
  }
}

const allowed = (r: ClientRateLimitInfo, max: number) => r.totalHits <= max;

describe('LeaseStore over RateLimitCounters', () => {
  // One clock for the counters and the stores, as in one process; tests move it instead of waiting.
  let t = 1_000_000;
  const clock = () => t;
  let counters: RateLimitCounters;
  const stores: LeaseStore[] = [];
  const store = (source: LeaseSource, max: number, processes = 2, windowMs = 60_000) => {
    const s = new LeaseStore({ source, windowMs, max, divisor: leaseDivisor(processes), now: clock });
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    t = 1_000_000;
    counters = new RateLimitCounters({ now: clock });
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.shutdown();
    counters.close();
  });

  it('sizes the divisor so N workers strand at most the tolerance', () => {
    expect(leaseDivisor(2)).to.equal(400);
    expect(leaseDivisor(16)).to.equal(3200);
    expect(leaseDivisor(0)).to.equal(200);
    expect(LEASE_TOLERANCE).to.equal(0.005);
  });

  it('allows exactly max from one store and then refuses locally, without asking the counter', async () => {
    const max = 1000;
    const source = new CountingSource(counters);
    const s = store(source, max, 1);
    let ok = 0;
    for (let i = 0; i < max; i++) if (allowed(await s.increment('k'), max)) ok++;
    expect(ok).to.equal(max);
    const callsAtLimit = source.calls;
    // Blocks while the budget is large, single hits only for the last D (200 for one process).
    expect(callsAtLimit).to.be.below(max * 0.7);
    let refused = 0;
    for (let i = 0; i < 500; i++) if (!allowed(await s.increment('k'), max)) refused++;
    expect(refused).to.equal(500);
    // One more lease at most to learn that the window is spent, then none.
    expect(source.calls - callsAtLimit).to.be.at.most(1);
  });

  it('costs one lease per thousands of requests under the default budget (the benchmark case)', async () => {
    const max = 1_000_000;
    const source = new CountingSource(counters);
    const s = store(source, max, 2);
    for (let i = 0; i < 2500; i++) expect(allowed(await s.increment('bench'), max)).to.equal(true);
    expect(source.calls).to.equal(1);
    await s.increment('bench');
    expect(source.calls).to.equal(2);
  });

  it('is exact within the bound when two stores are hammered concurrently', async () => {
    const max = 2000;
    const source = new CountingSource(counters);
    const workers = [store(source, max), store(source, max)];
    let ok = 0;
    let refused = 0;
    const loops = Array.from({ length: 8 }, async (_, i) => {
      let seenRefusals = 0;
      for (let n = 0; seenRefusals < 20; n++) {
        const r = await (workers[(i + n) % 2] as LeaseStore).increment('client');
        if (allowed(r, max)) ok++;
        else {
          refused++;
          seenRefusals++;
        }
      }
    });
    await Promise.all(loops);
    expect(ok).to.be.at.most(max);
    expect(ok).to.be.at.least(max * (1 - LEASE_TOLERANCE));
    expect(refused).to.be.at.least(160);
    // Leases, not a round trip per hit.
    expect(source.calls).to.be.below(ok);
  });

  it('strands no more than max/D per idle worker (the documented bound)', async () => {
    const max = 10_000;
    const source = new CountingSource(counters);
    const idle = store(source, max);
    const busy = store(source, max);
    let ok = allowed(await idle.increment('c'), max) ? 1 : 0;
    for (;;) {
      if (!allowed(await busy.increment('c'), max)) break;
      ok++;
    }
    const bound = max / leaseDivisor(2);
    expect(ok).to.be.at.most(max);
    expect(ok).to.be.at.least(max - bound);
    // Requests the idle worker still serves come out of its own lease, still within max.
    let more = 0;
    while (allowed(await idle.increment('c'), max)) more++;
    expect(ok + more).to.equal(max);
  });

  it('does not let many concurrent requests fail open while leases are single hits', async () => {
    const max = 30;
    const source = new CountingSource(counters);
    const s = store(source, max, 2);
    const results = await Promise.all(Array.from({ length: 200 }, () => s.increment('burst')));
    expect(results.filter((r) => allowed(r, max))).to.have.length(max);
  });

  it('opens the next window at the reset time, not before', async () => {
    const source = new CountingSource(counters);
    const s = store(source, 5, 1, 40);
    const first = await Promise.all(Array.from({ length: 8 }, () => s.increment('w')));
    expect(first.filter((r) => allowed(r, 5))).to.have.length(5);
    const reset = first[0]?.resetTime?.getTime() as number;
    expect(reset).to.equal(1_000_040);
    t = reset - 1;
    expect(allowed(await s.increment('w'), 5), 'just before the reset').to.equal(false);
    t = reset;
    // The ended window's lease is neither spent nor reported.
    expect(s.trySpend('w')).to.equal(undefined);
    expect(s.get('w')).to.equal(undefined);
    const second = await Promise.all(Array.from({ length: 8 }, () => s.increment('w')));
    expect(second.filter((r) => allowed(r, 5))).to.have.length(5);
    expect(second[0]?.resetTime?.getTime()).to.equal(reset + 40);
  });

  it('reports hits used so far and the window end for the RateLimit headers', async () => {
    const s = store(new CountingSource(counters), 10, 1);
    const r1 = await s.increment('h');
    const r2 = await s.increment('h');
    expect(r1.totalHits).to.equal(1);
    expect(r2.totalHits).to.equal(2);
    expect(r2.resetTime).to.be.instanceOf(Date);
    expect(s.get('h')?.totalHits).to.equal(2);
  });

  it('gives a hit back on decrement and forgets the key on resetKey', async () => {
    const s = store(new CountingSource(counters), 2, 1);
    await s.increment('d');
    await s.increment('d');
    expect(allowed(await s.increment('d'), 2)).to.equal(false);
    s.decrement('d');
    expect(allowed(await s.increment('d'), 2)).to.equal(true);
    await s.resetKey('d');
    expect(allowed(await s.increment('d'), 2)).to.equal(true);
    expect(allowed(await s.increment('d'), 2)).to.equal(true);
    expect(allowed(await s.increment('d'), 2)).to.equal(false);
  });

  it('fails open, with a warning, when the counter cannot be reached', async () => {
    const lines: string[] = [];
    const source = new CountingSource(counters);
    source.fail = true;
    const s = new LeaseStore({
      source,
      windowMs: 1000,
      max: 1,
      divisor: 1,
      logger: createLogger('info', {}, (l) => lines.push(l)),
      now: clock,
    });
    stores.push(s);
    const results = await Promise.all([s.increment('x'), s.increment('x'), s.increment('x')]);
    expect(results.every((r) => allowed(r, 1))).to.equal(true);
    expect(lines.filter((l) => l.includes('rate limit counter unreachable'))).to.have.length(1);
    source.fail = false;
    expect(allowed(await s.increment('x'), 1)).to.equal(true);
    expect(allowed(await s.increment('x'), 1)).to.equal(false);
    // At most one warning per 10 s.
    source.fail = true;
    t += 9_999;
    await s.increment('y');
    expect(lines.filter((l) => l.includes('rate limit counter unreachable'))).to.have.length(1);
    t += 1;
    await s.increment('y');
    expect(lines.filter((l) => l.includes('rate limit counter unreachable'))).to.have.length(2);
  });

  it('fails open, with a warning, when every lease arrives already ended (clock skew)', async () => {
    const lines: string[] = [];
    let calls = 0;
    const skewed: LeaseSource = {
      lease: () => {
        calls++;
        return { granted: 1, used: 1, resetTime: t - 1 };
      },
      reset: () => undefined,
    };
    const s = new LeaseStore({
      source: skewed,
      windowMs: 1000,
      max: 1,
      divisor: 1,
      logger: createLogger('info', {}, (l) => lines.push(l)),
      now: clock,
    });
    stores.push(s);
    expect(allowed(await s.increment('skew'), 1)).to.equal(true);
    expect(calls).to.equal(4);
    expect(lines.filter((l) => l.includes('leases keep ending on arrival'))).to.have.length(1);
  });

  it('answers synchronously from a held lease (no promise on the hot path)', async () => {
    const s = store(new CountingSource(counters), 1000, 1);
    await s.increment('sync');
    const r = s.increment('sync');
    expect(r).to.not.be.instanceOf(Promise);
  });
});
