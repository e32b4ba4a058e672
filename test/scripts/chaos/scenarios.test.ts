// Figures the chaos table is made of (scripts/chaos/scenarios.ts): failures by kind, 5xx, p99 in a window.
import { expect } from 'chai';
import type { ReqRecord } from '../../../scripts/chaos/flows.js';
import { failuresByKind, fiveXXOf, p99Between, total } from '../../../scripts/chaos/scenarios.js';

const rec = (t0: number, ms: number, kind: string, status = 200, extra: Partial<ReqRecord> = {}): ReqRecord => ({
  t0,
  t1: t0 + ms,
  step: 'authenticate',
  status,
  kind,
  pid: 1,
  inst: 0,
  reused: true,
  card: '4000',
  ...extra,
});

describe('chaos figures', () => {
  const records = [
    rec(0, 5, 'ok'),
    rec(1, 5, 'expected', 502),
    rec(2, 5, '503', 503),
    rec(3, 5, 'reset', 0),
    rec(4, 5, 'rerouted', 0),
    rec(5, 300, 'ok', 200, { deliberate: true }),
    rec(6, 50, 'HTTP 500', 500),
  ];

  it('counts failures by kind, leaving out the expected answers and reroutes', () => {
    expect(failuresByKind(records)).to.deep.equal({ '503': 1, reset: 1, 'HTTP 500': 1 });
    expect(total(failuresByKind(records, (r) => r.t0 >= 3))).to.equal(2);
  });

  it("counts 5xx but the DS-error card's documented 502", () => {
    expect(fiveXXOf(records)).to.equal(2);
  });

  it("takes the p99 of answered requests in the window, without the slow card's deliberate delay", () => {
    expect(p99Between(records, 0, 10)).to.equal(50);
    expect(p99Between(records, 0, 1)).to.equal(5);
    expect(p99Between(records, 100, 200)).to.equal(undefined);
  });
});
