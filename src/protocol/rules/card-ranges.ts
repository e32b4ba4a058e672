// The card range table (SPEC §3.1): built once per configuration object, then searched in O(log n) per
// request. Configured ranges may overlap (the 2.2.0-only Mastercard range inside the big one); they are
// resolved into disjoint intervals where each point belongs to the highest-priority range covering it
// (ties: the range listed first). PANs and bounds of any length 13–19 are compared as 19-digit strings:
// a start is padded with 0s, an end with 9s, a PAN with 0s, so fixed-length string order is numeric order.
import type { CardRangeConfig } from '../../config/index.js';
import type { CardRangeOut } from '../wire/messages.js';

const WIDTH = 19;

interface RangeMatch {
  scheme: string;
  startVersion: string;
  endVersion: string;
  /** The resolved interval, at the configured range's length; shared and frozen: do not mutate. */
  out: Readonly<CardRangeOut>;
}

export interface RangeTable {
  lookup(pan: string): RangeMatch | undefined;
  readonly size: number;
}

interface Segment {
  start: string;
  end: string;
  match: RangeMatch;
}

const padStart = (s: string) => s.padEnd(WIDTH, '0');
const padEnd = (s: string) => s.padEnd(WIDTH, '9');
const toKey = (n: bigint) => n.toString().padStart(WIDTH, '0');

export function buildRangeTable(ranges: readonly CardRangeConfig[]): RangeTable {
  const items = ranges.map((r, i) => ({ r, i, lo: BigInt(padStart(r.start)), hi: BigInt(padEnd(r.end)), prio: r.priority ?? 0 }));
  // Elementary intervals between consecutive boundaries; each gets the winning range, then runs merge.
  const cuts = new Set<bigint>();
  for (const it of items) {
    cuts.add(it.lo);
    cuts.add(it.hi + 1n);
  }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const raw: { lo: bigint; hi: bigint; owner: number }[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const lo = points[k] as bigint;
    const hi = (points[k + 1] as bigint) - 1n;
    let best: (typeof items)[number] | undefined;
    for (const it of items) {
      if (it.lo > lo || it.hi < hi) continue;
      if (!best || it.prio > best.prio) best = it;
    }
    if (!best) continue;
    const last = raw[raw.length - 1];
    if (last && last.owner === best.i && last.hi + 1n === lo) last.hi = hi;
    else raw.push({ lo, hi, owner: best.i });
  }
  const segments: Segment[] = raw.map((s) => {
    const r = (items[s.owner] as (typeof items)[number]).r;
    const len = r.start.length;
    const out: CardRangeOut = Object.freeze({
      startRange: toKey(s.lo).slice(0, len),
      endRange: toKey(s.hi).slice(0, len),
      acsStartProtocolVersion: r.startVersion,
      acsEndProtocolVersion: r.endVersion,
      acsInfoInd: Object.freeze(['01', '02']) as unknown as string[],
    });
    return {
      start: toKey(s.lo),
      end: toKey(s.hi),
      match: Object.freeze({ scheme: r.scheme, startVersion: r.startVersion, endVersion: r.endVersion, out }),
    };
  });
  return {
    size: segments.length,
    lookup(pan: string): RangeMatch | undefined {
      const key = padStart(pan);
      let lo = 0;
      let hi = segments.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const s = segments[mid] as Segment;
        if (key < s.start) hi = mid - 1;
        else if (key > s.end) lo = mid + 1;
        else return s.match;
      }
      return undefined;
    },
  };
}
