// The embedded inspection held by the primary (SPEC §17): trail bounds (entries, bytes, dropped count),
// index bounds (count, age, bytes), newest-first paging by cursor with ties, and the filters.
import { expect } from 'chai';
import { InspectionCore } from '../../../src/store/inspection/inspection-core.js';
import type { InspectionBounds, ListQuery, TrailEvent } from '../../../src/store/inspection/inspection-types.js';

const BOUNDS: InspectionBounds = { maxTransactions: 1000, trailMaxEntries: 5, trailMaxBytes: 10_000, ttlMs: 60_000, maxBytes: 10_000_000 };

function core(bounds: Partial<InspectionBounds> = {}, clock = { now: 1_000_000 }) {
  return { core: new InspectionCore({ ...BOUNDS, ...bounds }, () => clock.now, 60_000), clock };
}

const open = (id: string, createdAt: number, patch: TrailEvent['patch'] = {}): TrailEvent => ({
  id,
  at: createdAt,
  entry: `{"at":${createdAt},"kind":"AReq","message":{}}`,
  patch: { createdAt, ...patch },
});
const entry = (id: string, at: number, text = 'x'): TrailEvent => ({ id, at, entry: `{"at":${at},"kind":"CRes","message":"${text}"}` });

describe('InspectionCore (embedded inspection)', () => {
  const made: InspectionCore[] = [];
  afterEach(() => {
    for (const c of made.splice(0)) c.close();
  });
  const make = (b?: Partial<InspectionBounds>, clock?: { now: number }) => {
    const x = core(b, clock);
    made.push(x.core);
    return x;
  };

  describe('trail bounds', () => {
    it('keeps at most trailMaxEntries entries, the newest, and counts the dropped ones', () => {
      const { core: c } = make({ trailMaxEntries: 3 });
      c.apply(open('t1', 1_000_000));
      for (let i = 1; i <= 5; i++) c.apply(entry('t1', 1_000_000 + i, `m${i}`));
      const d = c.detail('t1');
      expect(d.trail?.entries).to.have.length(3);
      expect(d.trail?.entries.map((e) => JSON.parse(e).message)).to.deep.equal(['m3', 'm4', 'm5']);
      expect(d.trail?.dropped).to.equal(3);
    });

    it('keeps the trail within trailMaxBytes (UTF-8 bytes), the newest entry always kept', () => {
      const { core: c } = make({ trailMaxBytes: 200, trailMaxEntries: 100 });
      c.apply(open('t1', 1_000_000));
      for (let i = 0; i < 10; i++) c.apply(entry('t1', 1_000_001 + i, 'é'.repeat(20)));
      const d = c.detail('t1');
      const bytes = (d.trail?.entries ?? []).reduce((n, e) => n + Buffer.byteLength(e), 0);
      expect(bytes).to.be.at.most(200);
      expect(d.trail?.entries.length).to.be.greaterThan(0);
      expect((d.trail?.dropped ?? 0) + (d.trail?.entries.length ?? 0)).to.equal(11);
      // One entry alone above the bound is still kept: the recorder caps each entry at the bound.
      c.apply(entry('t1', 1_000_100, 'y'.repeat(500)));
      expect(c.detail('t1').trail?.entries).to.have.length(1);
    });

    it('ignores events of a transaction it never opened (no half entry, no orphan trail)', () => {
      const { core: c } = make();
      c.apply(entry('ghost', 1_000_000));
      c.apply({ id: 'ghost', at: 1_000_000, patch: { status: 'Y' } });
      expect(c.detail('ghost')).to.deep.equal({ summary: null, trail: null });
      expect(c.size).to.equal(0);
    });

    it('applies patches: later fields win, createdAt stays, updatedAt follows the events', () => {
      const { core: c } = make();
      c.apply(open('t1', 1_000_000, { status: 'C', last4: '4001', flow: 'browser' }));
      c.apply({ id: 't1', at: 1_000_500, patch: { status: 'Y', createdAt: 5 } });
      const s = c.detail('t1').summary;
      expect(s).to.include({ status: 'Y', last4: '4001', flow: 'browser', createdAt: 1_000_000, updatedAt: 1_000_500 });
    });
  });

  describe('index bounds', () => {
    it('keeps at most maxTransactions entries, dropping the oldest with their trails', () => {
      const { core: c } = make({ maxTransactions: 3 });
      for (let i = 0; i < 5; i++) c.apply(open(`t${i}`, 1_000_000 + i));
      expect(c.size).to.equal(3);
      expect(c.detail('t0').summary).to.equal(null);
      expect(c.detail('t1').trail).to.equal(null);
      expect(c.list({ limit: 10 }).items.map((s) => s.threeDSServerTransID)).to.deep.equal(['t4', 't3', 't2']);
    });

    it('removes a 64th more than it must when a write passes the count bound, never keeping more than the bound', () => {
      const { core: c } = make({ maxTransactions: 128 });
      for (let i = 0; i < 128; i++) c.apply(open(`t${i}`, 1_000_000 + i));
      expect(c.size).to.equal(128);
      c.apply(open('t128', 1_000_128));
      expect(c.size).to.equal(126);
      expect(c.detail('t2').summary).to.equal(null);
      expect(c.detail('t3').summary).to.not.equal(null);
    });

    it('expires entries store.ttlSeconds after their creation (the record TTL)', () => {
      const { core: c, clock } = make({ ttlMs: 1000 });
      c.apply(open('old', clock.now));
      clock.now += 600;
      c.apply(open('new', clock.now));
      clock.now += 500;
      expect(c.list({ limit: 10 }).items.map((s) => s.threeDSServerTransID)).to.deep.equal(['new']);
      expect(c.detail('old').summary).to.equal(null);
      // An event that would open an entry already past its lifetime opens nothing.
      c.apply(open('late', clock.now - 2000));
      expect(c.detail('late').summary).to.equal(null);
    });

    it('keeps all trails and entries within maxBytes, the oldest transactions leaving first', () => {
      const { core: c } = make({ maxBytes: 5_000, trailMaxBytes: 100_000, trailMaxEntries: 100 });
      for (let i = 0; i < 20; i++) {
        c.apply(open(`t${i}`, 1_000_000 + i));
        c.apply(entry(`t${i}`, 1_000_000 + i, 'z'.repeat(400)));
      }
      expect(c.heldBytes).to.be.at.most(5_000);
      expect(c.size).to.be.greaterThan(0).and.below(20);
      expect(c.detail('t19').summary).to.not.equal(null);
      expect(c.detail('t0').summary).to.equal(null);
    });

    it('reset forgets everything and says how much', () => {
      const { core: c } = make();
      c.apply(open('a', 1_000_000));
      c.apply(open('b', 1_000_001));
      expect(c.reset()).to.deep.equal({ transactions: 2, trails: 2 });
      expect(c.size).to.equal(0);
      expect(c.heldBytes).to.equal(0);
    });
  });

  describe('list: newest first, filters, cursor', () => {
    function filled() {
      const { core: c } = make();
      const rows: [string, number, Record<string, string>][] = [
        ['a', 1_000_000, { last4: '4000', status: 'Y', flow: 'browser', api: 'mock' }],
        ['b', 1_000_010, { last4: '4001', status: 'C', flow: 'browser', api: 'netcetera' }],
        ['c', 1_000_010, { last4: '4001', status: 'Y', flow: 'app', api: 'mock' }],
        ['d', 1_000_010, { last4: '4002', status: 'N', flow: '3ri', api: 'mock' }],
        ['e', 1_000_020, { last4: '4001', status: 'Y', flow: 'browser', api: 'mock' }],
        ['f', 1_000_005, { last4: '4000', status: 'Y', flow: 'browser', api: 'mock' }],
      ];
      // Out of creation order on purpose: events from several workers interleave.
      for (const [id, at, p] of rows) c.apply(open(id, at, p as TrailEvent['patch']));
      return c;
    }
    const ids = (c: InspectionCore, q: ListQuery) => c.list(q).items.map((s) => s.threeDSServerTransID);

    it('orders by creation time, newest first; equal times by ID, descending', () => {
      expect(ids(filled(), { limit: 10 })).to.deep.equal(['e', 'd', 'c', 'b', 'f', 'a']);
    });

    it('pages with a cursor through ties without losing or repeating an entry', () => {
      const c = filled();
      const seen: string[] = [];
      let q: ListQuery = { limit: 2 };
      for (let pages = 0; pages < 10; pages++) {
        const page = c.list(q);
        seen.push(...page.items.map((s) => s.threeDSServerTransID));
        if (!page.next) break;
        q = { limit: 2, cursor: page.next };
      }
      expect(seen).to.deep.equal(['e', 'd', 'c', 'b', 'f', 'a']);
    });

    it('gives a cursor only when more entries match', () => {
      const c = filled();
      expect(c.list({ limit: 6 }).next).to.equal(undefined);
      expect(c.list({ limit: 5 }).next).to.deep.equal({ createdAt: 1_000_005, id: 'f' });
      expect(c.list({ limit: 1, status: 'N' }).next).to.equal(undefined);
    });

    it('filters by last 4, status, flow, API shape and time window (inclusive)', () => {
      const c = filled();
      expect(ids(c, { limit: 10, last4: '4001' })).to.deep.equal(['e', 'c', 'b']);
      expect(ids(c, { limit: 10, status: 'Y' })).to.deep.equal(['e', 'c', 'f', 'a']);
      expect(ids(c, { limit: 10, flow: 'app' })).to.deep.equal(['c']);
      expect(ids(c, { limit: 10, api: 'netcetera' })).to.deep.equal(['b']);
      expect(ids(c, { limit: 10, since: 1_000_005, until: 1_000_010 })).to.deep.equal(['d', 'c', 'b', 'f']);
      expect(ids(c, { limit: 10, last4: '4001', status: 'Y', flow: 'browser' })).to.deep.equal(['e']);
      expect(ids(c, { limit: 1, last4: '4001', cursor: { createdAt: 1_000_010, id: 'c' } })).to.deep.equal(['b']);
    });
  });
});
