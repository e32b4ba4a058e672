// The test-card table as the QA console shows it (SPEC §4, §17): every key of protocol.scenarios with its
// scenario and a card number that selects it — a full-PAN key is its own card; a last-4 key gets the
// README's Visa number (400040004000xxxx) when a configured range holds it, else the start of the first
// range that does; `default` gets a last 4 that no key takes.
import type { CardRangeConfig, Config, ScenarioConfig } from '../../config/index.js';

export interface CardRow {
  /** The key of protocol.scenarios: 4 digits, a full PAN, or "default". */
  key: string;
  name: string | undefined;
  /** A PAN that selects this scenario; absent when no configured range could hold one. */
  cardNumber?: string;
  scenario: ScenarioConfig;
}

const README_PREFIX = '400040004000';

function inRange(pan: string, ranges: readonly CardRangeConfig[]): boolean {
  return ranges.some((r) => r.start.length === pan.length && r.start <= pan && pan <= r.end);
}

/** A card number ending in `last4`, inside a configured range. */
export function cardFor(last4: string, ranges: readonly CardRangeConfig[]): string | undefined {
  const readme = README_PREFIX + last4;
  if (inRange(readme, ranges)) return readme;
  for (const r of ranges) {
    const pan = r.start.slice(0, -4) + last4;
    if (inRange(pan, [r])) return pan;
  }
  return undefined;
}

/** A last 4 no key of the table takes, for the `default` row. */
function freeLast4(keys: ReadonlySet<string>): string {
  for (let n = 9999; n >= 0; n--) {
    const s = String(n).padStart(4, '0');
    if (!keys.has(s)) return s;
  }
  return '9999';
}

export function cardTable(config: Config): CardRow[] {
  const table = config.protocol.scenarios;
  const ranges = config.protocol.ranges;
  const keys = new Set(Object.keys(table));
  const rows: CardRow[] = [];
  for (const [key, scenario] of Object.entries(table)) {
    const pan = /^[0-9]{13,19}$/.test(key) ? key : cardFor(key === 'default' ? freeLast4(keys) : key, ranges);
    rows.push({ key, name: scenario.name, ...(pan !== undefined && { cardNumber: pan }), scenario });
  }
  // Last-4 keys in numeric order, then full PANs, then the default row.
  const rank = (k: string) => (k === 'default' ? 2 : k.length === 4 ? 0 : 1);
  return rows.sort((a, b) => rank(a.key) - rank(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
