// The primary's shared rate-limit counters: the lease policy and the window bookkeeping.
import { expect } from 'chai';
import { leaseSize, RateLimitCounters } from '../../../src/http/rate-limit/lease-counters.js';

describe('RateLimitCounters', () => {
  let t = 1_000_000;
  const clock = () => t;
  let counters: RateLimitCounters;
  const req = (key: string, over: Partial<{ windowMs: number; max: number; want: number; divisor: number }> = {}) => ({
    key,
    windowMs: 1000,
    max: 100,
    want: 100,
    divisor: 10,
    ...over,
  });

  beforeEach(() => {
    t = 1_000_000;
    counters = new RateLimitCounters({ now: clock });
  });
  afterEach(() => counters.close());

  describe('leaseSize', () => {
    it('grants a share of what is left, at least one hit, never more than asked or left', () => {
      expect(leaseSize(1000, 1000, 10)).to.equal(100);
      expect(leaseSize(1000, 7, 10)).to.equal(7);
      expect(leaseSize(9, 100, 10)).to.equal(1);
      expect(leaseSize(1, 100, 400)).to.equal(1);
      expect(leaseSize(0, 100, 10)).to.equal(0);
      expect(leaseSize(-3, 100, 10)).to.equal(0);
      expect(leaseSize(5, 100, 1)).to.equal(5);
    });
  });

  it('shrinks leases as the budget runs low and never grants more than max in a window', () => {
    const sizes: number[] = [];
    let total = 0;
    for (;;) {
      const g = counters.lease(req('a'));
      if (g.granted === 0) break;
      sizes.push(g.granted);
      total += g.granted;
      expect(g.used).to.equal(total);
    }
    expect(total).to.equal(100);
    expect(sizes[0]).to.equal(10);
    expect(sizes.at(-1)).to.equal(1);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).to.be.at.most(sizes[i - 1] as number);
    expect(counters.lease(req('a')).granted).to.equal(0);
  });

  it('opens a new window after the old one ends, with its reset time', () => {
    const first = counters.lease(req('a', { max: 3, divisor: 1 }));
    expect(first).to.deep.equal({ granted: 3, used: 3, resetTime: 1_001_000 });
    expect(counters.lease(req('a', { max: 3, divisor: 1 })).granted).to.equal(0);
    t = 1_000_999;
    expect(counters.lease(req('a', { max: 3, divisor: 1 })).granted).to.equal(0);
    t = 1_001_000;
    const next = counters.lease(req('a', { max: 3, divisor: 1 }));
    expect(next).to.deep.equal({ granted: 3, used: 3, resetTime: 1_002_000 });
  });

  it('keeps keys apart and forgets a key on reset', () => {
    counters.lease(req('a', { max: 2, divisor: 1 }));
    expect(counters.lease(req('b', { max: 2, divisor: 1 })).granted).to.equal(2);
    expect(counters.lease(req('a', { max: 2, divisor: 1 })).granted).to.equal(0);
    counters.reset('a');
    expect(counters.lease(req('a', { max: 2, divisor: 1 })).granted).to.equal(2);
  });

  it('applies a lower max to a window already under way', () => {
    counters.lease(req('a', { max: 100, want: 50, divisor: 1 }));
    expect(counters.lease(req('a', { max: 40 })).granted).to.equal(0);
    expect(counters.lease(req('a', { max: 60, divisor: 1 })).granted).to.equal(10);
  });

  it('sweeps ended windows and stays within maxKeys', () => {
    const small = new RateLimitCounters({ now: clock, maxKeys: 3 });
    try {
      for (const k of ['a', 'b', 'c']) small.lease(req(k));
      small.lease(req('d'));
      expect(small.size).to.equal(3);
      // The oldest window went: "a" starts afresh.
      expect(small.lease(req('a', { max: 100, divisor: 1 })).granted).to.equal(100);
      t += 1000;
      small.sweep();
      expect(small.size).to.equal(0);
    } finally {
      small.close();
    }
  });
});
