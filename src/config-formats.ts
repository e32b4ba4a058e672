// The value formats of the configuration schema (SPEC §9): the convict formats the schema names, and the
// checks of the values convict cannot check by format (the scenario table). Registered on import.
import convict from 'convict';

export interface CardRangeConfig {
  scheme: string;
  start: string;
  end: string;
  startVersion: string;
  endVersion: string;
  priority: number;
}

export interface ScenarioConfig {
  transStatus: string;
  reason?: string;
  challenge?: 'text' | 'single-select' | 'multi-select' | 'oob' | 'html';
  decoupled?: boolean;
  delayMs?: number;
  /** Answer after protocol.slowResponseMs. */
  slow?: boolean;
  threeDSMethod?: boolean;
  dsError?: { errorCode: string; errorComponent: string; errorDescription?: string };
  challengeIndRule?: 'exemption-I';
}

const VERSION_RE = /^2\.[0-9]\.[0-9]$/;
const DIGITS_RE = /^[0-9]{13,19}$/;

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

convict.addFormat({
  name: 'port-number',
  validate(v: unknown) {
    assert(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535, 'must be an integer 0..65535');
  },
  coerce: (v: unknown) => Number(v),
});
convict.addFormat({
  name: 'non-negative-int',
  validate(v: unknown) {
    // Safe integers only: above 2^53 a count or byte bound is no longer exact (and the store refuses it).
    assert(Number.isSafeInteger(v) && (v as number) >= 0, 'must be a non-negative integer up to 2^53 - 1');
  },
  coerce: (v: unknown) => Number(v),
});
convict.addFormat({
  name: 'positive-int',
  validate(v: unknown) {
    assert(Number.isInteger(v) && (v as number) > 0, 'must be a positive integer');
  },
  coerce: (v: unknown) => Number(v),
});
convict.addFormat({
  name: 'url-or-empty',
  validate(v: unknown) {
    assert(typeof v === 'string', 'must be a string');
    if (v === '') return;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new Error('must be an absolute URL');
    }
    assert(/^(https?|rediss?):$/.test(u.protocol), 'must use http(s) or redis(s)');
  },
});
convict.addFormat({
  name: 'string-list',
  validate(v: unknown) {
    assert(Array.isArray(v) && v.every((s) => typeof s === 'string'), 'must be a list of strings');
  },
  coerce: (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
});
convict.addFormat({
  name: 'version-list',
  validate(v: unknown) {
    assert(Array.isArray(v) && v.length > 0, 'must be a non-empty list of versions');
    for (const s of v as unknown[]) assert(typeof s === 'string' && VERSION_RE.test(s), `"${String(s)}" is not a 2.x.y version`);
  },
  coerce: (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v),
});
convict.addFormat({
  name: 'card-ranges',
  validate(v: unknown) {
    assert(Array.isArray(v), 'must be a list of ranges');
    (v as unknown[]).forEach((r, i) => {
      const x = r as Partial<CardRangeConfig>;
      assert(x && typeof x === 'object', `range ${i} must be an object`);
      assert(typeof x.scheme === 'string' && x.scheme.length > 0, `range ${i}: scheme is required`);
      assert(typeof x.start === 'string' && DIGITS_RE.test(x.start), `range ${i}: start must be 13-19 digits`);
      assert(typeof x.end === 'string' && DIGITS_RE.test(x.end), `range ${i}: end must be 13-19 digits`);
      assert(x.start.length === x.end.length, `range ${i}: start and end must have the same length`);
      assert(x.start <= x.end, `range ${i}: start is above end`);
      assert(typeof x.startVersion === 'string' && VERSION_RE.test(x.startVersion), `range ${i}: startVersion invalid`);
      assert(typeof x.endVersion === 'string' && VERSION_RE.test(x.endVersion), `range ${i}: endVersion invalid`);
      assert(x.startVersion <= x.endVersion, `range ${i}: startVersion is above endVersion`);
      assert(x.priority === undefined || Number.isInteger(x.priority), `range ${i}: priority must be an integer`);
    });
  },
});
const TRANS_STATUSES = new Set(['Y', 'N', 'U', 'A', 'C', 'R', 'D', 'I', 'E']);
const CHALLENGES = new Set(['text', 'single-select', 'multi-select', 'oob', 'html']);
// Not a convict format: convict merges object-valued keys key by key unless their format is Object,
// so the scenario table is declared as Object and checked here, from crossChecks.
export function validateScenarioTable(v: unknown): void {
  assert(v && typeof v === 'object' && !Array.isArray(v), 'must be an object keyed by last 4 digits or full PAN');
  for (const [key, s] of Object.entries(v as Record<string, ScenarioConfig>)) {
    assert(/^([0-9]{4}|[0-9]{13,19}|default)$/.test(key), `scenario key "${key}" must be 4 digits, a full PAN or "default"`);
    assert(s && typeof s === 'object', `scenario ${key} must be an object`);
    assert(TRANS_STATUSES.has(s.transStatus), `scenario ${key}: transStatus "${String(s.transStatus)}" is not an EMV status`);
    assert(s.challenge === undefined || CHALLENGES.has(s.challenge), `scenario ${key}: challenge "${String(s.challenge)}" unknown`);
    assert(s.delayMs === undefined || (Number.isInteger(s.delayMs) && s.delayMs >= 0), `scenario ${key}: delayMs must be >= 0`);
    assert(s.transStatus !== 'C' || s.challenge !== undefined, `scenario ${key}: status C needs a challenge type`);
  }
}
