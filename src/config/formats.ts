// The value formats of the configuration schema (SPEC §9): the convict formats the schema names
// (registered on import), and the checks convict cannot run as a named format: the fault rules and the
// scenario table.
import convict from 'convict';

export interface CardRangeConfig {
  scheme: string;
  start: string;
  end: string;
  startVersion: string;
  endVersion: string;
  priority: number;
}

/**
 * Test cards whose answer deliberately breaks the specification, for rehearsing a client's error handling
 * (SPEC §4): a challenge ARes without acsURL (browsers; apps: acsSignedContent without it), an ARes
 * without dsTransID, an app ARes whose sdkTransID is not the AReq's, an ACS that never answers the CReq.
 */
export const BROKEN_RESPONSES = ['no-acs-url', 'no-ds-trans-id', 'sdk-trans-id-mismatch', 'acs-no-answer'] as const;
export type BrokenResponse = (typeof BROKEN_RESPONSES)[number];

export interface ScenarioConfig {
  /** A readable name that selects the scenario (X-Mock-Scenario, the M3DS-SCENARIO extension) as its key does. */
  name?: string;
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
  broken?: BrokenResponse;
}

export interface FaultRuleConfig {
  route: string;
  method?: string;
  probability?: number;
  delay?:
    | { kind: 'fixed'; ms: number }
    | { kind: 'uniform'; min: number; max: number }
    | { kind: 'lognormal'; median: number; sigma: number };
  error?: { status: number; errorCode?: string };
  drop?: boolean;
}

const VERSION_RE = /^2\.[0-9]\.[0-9]$/;
const DIGITS_RE = /^[0-9]{13,19}$/;

function assert(cond: unknown, message: string): asserts cond {
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

const RULE_KEYS = ['route', 'method', 'probability', 'delay', 'error', 'drop'];
const MAX_DELAY_MS = 3_600_000;
const within = (n: unknown, lo: number, hi: number) => typeof n === 'number' && Number.isFinite(n) && n >= lo && n <= hi;

/** security.adminTokens: {"<name>": "<token>"}; names are logged with admin changes, tokens never. */
export function validateAdminTokens(v: unknown): asserts v is Record<string, string> {
  assert(v && typeof v === 'object' && !Array.isArray(v), 'must be an object {"<name>": "<token>"}');
  const seen = new Set<string>();
  for (const [name, token] of Object.entries(v as Record<string, unknown>)) {
    assert(/^[A-Za-z0-9._-]{1,64}$/.test(name), `token name "${name.slice(0, 70)}" must be 1 to 64 of [A-Za-z0-9._-]`);
    assert(
      typeof token === 'string' && token.length >= 8 && token.length <= 512,
      `token "${name}" must be a string of 8 to 512 characters`,
    );
    assert(!seen.has(token), `token "${name}" is the same as another one: each name needs its own token`);
    seen.add(token);
  }
}

/** The format of faults.rules: throws on the first rule that is not a FaultRuleConfig. */
export function validateFaultRules(v: unknown): asserts v is FaultRuleConfig[] {
  assert(Array.isArray(v), 'must be a list of rules');
  (v as unknown[]).forEach((r, i) => {
    const x = r as Record<string, unknown>;
    assert(x && typeof x === 'object' && !Array.isArray(x), `rule ${i} must be an object`);
    for (const k of Object.keys(x)) assert(RULE_KEYS.includes(k), `rule ${i}: unknown key "${k}"`);
    assert(typeof x.route === 'string' && x.route.startsWith('/'), `rule ${i}: route must be a path starting with /`);
    assert(
      x.method === undefined || (typeof x.method === 'string' && /^[A-Za-z]+$/.test(x.method)),
      `rule ${i}: method must be an HTTP method`,
    );
    assert(x.probability === undefined || within(x.probability, 0, 1), `rule ${i}: probability must be within 0..1`);
    assert(x.drop === undefined || typeof x.drop === 'boolean', `rule ${i}: drop must be a boolean`);
    assert(x.delay !== undefined || x.error !== undefined || x.drop === true, `rule ${i}: needs a delay, an error or drop`);
    if (x.delay !== undefined) {
      const d = x.delay as Record<string, unknown>;
      assert(d && typeof d === 'object', `rule ${i}: delay must be an object`);
      if (d.kind === 'fixed') assert(within(d.ms, 0, MAX_DELAY_MS), `rule ${i}: fixed delay needs ms >= 0`);
      else if (d.kind === 'uniform')
        assert(
          within(d.min, 0, MAX_DELAY_MS) && within(d.max, d.min as number, MAX_DELAY_MS),
          `rule ${i}: uniform delay needs 0 <= min <= max`,
        );
      else if (d.kind === 'lognormal')
        assert(
          within(d.median, 0, MAX_DELAY_MS) && within(d.sigma, 0, 10),
          `rule ${i}: lognormal delay needs median >= 0 and sigma within 0..10`,
        );
      else throw new Error(`rule ${i}: delay kind must be fixed, uniform or lognormal`);
    }
    if (x.error !== undefined) {
      const e = x.error as Record<string, unknown>;
      assert(e && typeof e === 'object', `rule ${i}: error must be an object`);
      assert(Number.isInteger(e.status) && within(e.status, 400, 599), `rule ${i}: error.status must be 400..599`);
      assert(
        e.errorCode === undefined || (typeof e.errorCode === 'string' && /^[0-9]{3}$/.test(e.errorCode)),
        `rule ${i}: error.errorCode must be 3 digits`,
      );
    }
  });
}

const TRANS_STATUSES = new Set(['Y', 'N', 'U', 'A', 'C', 'R', 'D', 'I', 'E']);
const CHALLENGES = new Set(['text', 'single-select', 'multi-select', 'oob', 'html']);
/** A scenario name: readable in a header, never mistaken for a last-4 key or "default" (a letter first). */
const NAME_RE = /^[a-z][a-z0-9-]{0,63}$/;
// Not a convict format: convict merges object-valued keys key by key unless their format is Object,
// so the scenario table is declared as Object and checked here, from the loader's cross-checks.
const SCENARIO_KEYS = new Set([
  'name',
  'transStatus',
  'reason',
  'challenge',
  'decoupled',
  'delayMs',
  'slow',
  'threeDSMethod',
  'dsError',
  'challengeIndRule',
  'broken',
]);
const ERROR_COMPONENTS = new Set(['C', 'S', 'D', 'A', 'M']);
/** The longest delay a scenario may ask for: an answer held longer only piles requests up. */
export const MAX_SCENARIO_DELAY_MS = 120_000;
/** A value in a message, without calling into it (admin overrides come from clients). */
const show = (x: unknown) =>
  typeof x === 'string' ? x.slice(0, 40) : typeof x === 'number' || typeof x === 'boolean' ? String(x) : typeof x;
const optionalFlag = (x: unknown) => x === undefined || typeof x === 'boolean';

/** The dsError of a scenario: a 3-digit EMV error code, a component, an optional description. */
function checkDsError(key: string, e: unknown): void {
  if (e === undefined) return;
  assert(e !== null && typeof e === 'object' && !Array.isArray(e), `scenario ${key}: dsError must be an object`);
  const d = e as Record<string, unknown>;
  assert(typeof d.errorCode === 'string' && /^[0-9]{3}$/.test(d.errorCode), `scenario ${key}: dsError.errorCode must be 3 digits`);
  assert(
    typeof d.errorComponent === 'string' && ERROR_COMPONENTS.has(d.errorComponent),
    `scenario ${key}: dsError.errorComponent must be C, S, D, A or M`,
  );
  assert(
    d.errorDescription === undefined || (typeof d.errorDescription === 'string' && d.errorDescription.length <= 2048),
    `scenario ${key}: dsError.errorDescription must be a string of at most 2048 characters`,
  );
  for (const k of Object.keys(d))
    assert(['errorCode', 'errorComponent', 'errorDescription'].includes(k), `scenario ${key}: dsError.${show(k)} is not a field`);
}

export function validateScenarioTable(v: unknown): void {
  assert(v && typeof v === 'object' && !Array.isArray(v), 'must be an object keyed by last 4 digits or full PAN');
  const names = new Map<string, string>();
  for (const [key, s] of Object.entries(v as Record<string, ScenarioConfig>)) {
    assert(/^([0-9]{4}|[0-9]{13,19}|default)$/.test(key), `scenario key "${show(key)}" must be 4 digits, a full PAN or "default"`);
    assert(s && typeof s === 'object' && !Array.isArray(s), `scenario ${key} must be an object`);
    for (const k of Object.keys(s)) assert(SCENARIO_KEYS.has(k), `scenario ${key}: "${show(k)}" is not a scenario field`);
    assert(TRANS_STATUSES.has(s.transStatus), `scenario ${key}: transStatus "${show(s.transStatus)}" is not an EMV status`);
    assert(s.challenge === undefined || CHALLENGES.has(s.challenge), `scenario ${key}: challenge "${show(s.challenge)}" unknown`);
    assert(
      s.delayMs === undefined || (Number.isInteger(s.delayMs) && s.delayMs >= 0 && s.delayMs <= MAX_SCENARIO_DELAY_MS),
      `scenario ${key}: delayMs must be 0 to ${MAX_SCENARIO_DELAY_MS}`,
    );
    assert(
      s.reason === undefined || (typeof s.reason === 'string' && /^[0-9]{2}$/.test(s.reason)),
      `scenario ${key}: reason must be 2 digits`,
    );
    assert(
      optionalFlag(s.decoupled) && optionalFlag(s.slow) && optionalFlag(s.threeDSMethod),
      `scenario ${key}: decoupled, slow and threeDSMethod must be true or false`,
    );
    assert(
      s.challengeIndRule === undefined || s.challengeIndRule === 'exemption-I',
      `scenario ${key}: challengeIndRule must be "exemption-I"`,
    );
    checkDsError(key, s.dsError);
    assert(s.transStatus !== 'C' || s.challenge !== undefined, `scenario ${key}: status C needs a challenge type`);
    if (s.name !== undefined) {
      assert(typeof s.name === 'string' && NAME_RE.test(s.name), `scenario ${key}: name must be lower-case letters, digits and dashes`);
      assert(s.name !== 'default' || key === 'default', `scenario ${key}: name "default" selects the default entry`);
      const other = names.get(s.name);
      assert(other === undefined, `scenario ${key}: name "${s.name}" is already the name of ${String(other)}`);
      names.set(s.name, key);
    }
    assert(
      s.broken === undefined || (BROKEN_RESPONSES as readonly string[]).includes(s.broken),
      `scenario ${key}: broken "${show(s.broken)}" is not one of ${BROKEN_RESPONSES.join(', ')}`,
    );
    // The challenge breaks only exist where a challenge does.
    assert(
      (s.broken !== 'no-acs-url' && s.broken !== 'acs-no-answer') || s.transStatus === 'C',
      `scenario ${key}: broken "${show(s.broken)}" needs transStatus C`,
    );
  }
}
