// The scenario table (SPEC §4): which outcome a card gets. Lookup is by full PAN first, then the last
// four digits, then "default"; a transaction may name its scenario instead (selectScenario: the
// X-Mock-Scenario header, then the M3DS-SCENARIO message extension, by code or readable name). The
// decision then applies what the requestor asked for (challenge
// indicator 04/05, the 05 operator switch), the 3DS Method rule of 4014, the exemption rule of 4007,
// and when Annex A Table A.17 allows a status (SPEC §15): D only when the AReq asked for decoupled
// authentication, never C for 3RI or for indicator 06, I only with 05, 06 or 07; finally what the
// negotiated version has (2.1.0 has no D or I, nor reasons 22–26).
import type { BrokenResponse, ScenarioConfig } from '../../config/index.js';
import { AppError, type ErrorIds } from '../../errors.js';
import type { UiKind } from '../transaction/challenge-machine.js';
import type { Flow } from '../transaction/record.js';
import { atLeast, DEFAULT_REASON, mapValue, needsReason } from './version-values.js';

interface ScenarioMatch {
  key: string;
  scenario: ScenarioConfig;
}

export interface ScenarioTable {
  lookup(pan: string): ScenarioMatch;
  /**
   * The entry a selector names: a last-4 key, "default", or a scenario's name (case-insensitive). Full-PAN
   * entries are not selectable: a PAN has no place in a header.
   */
  select(selector: string): ScenarioMatch | undefined;
  /** The selectable names, in table order (for the error that lists them). */
  readonly names: readonly string[];
}

const FALLBACK: ScenarioConfig = Object.freeze({ transStatus: 'Y' });

export function buildScenarioTable(table: Readonly<Record<string, ScenarioConfig>>): ScenarioTable {
  const byPan = new Map<string, ScenarioMatch>();
  const byLast4 = new Map<string, ScenarioMatch>();
  const byName = new Map<string, ScenarioMatch>();
  let fallback: ScenarioMatch = { key: 'default', scenario: FALLBACK };
  for (const [key, scenario] of Object.entries(table)) {
    const match = { key, scenario };
    if (key === 'default') fallback = match;
    else if (key.length === 4) byLast4.set(key, match);
    // A full-PAN key is never echoed whole: the record keeps the match masked.
    else byPan.set(key, { key: `${key.slice(0, 6)}…${key.slice(-4)}`, scenario });
    // Full-PAN entries are selectable by their card only.
    if (scenario.name !== undefined && (key.length === 4 || key === 'default')) byName.set(scenario.name, match);
  }
  return {
    lookup(pan: string): ScenarioMatch {
      return byPan.get(pan) ?? byLast4.get(pan.slice(-4)) ?? fallback;
    },
    select(selector: string): ScenarioMatch | undefined {
      const s = selector.trim().toLowerCase();
      if (s === 'default') return fallback;
      return byLast4.get(s) ?? byName.get(s);
    },
    names: [...byName.keys()],
  };
}

/** Where a transaction's scenario came from: a selector (header, extension) or the card. */
export type ScenarioSource = 'header' | 'extension' | 'card';

/** A scenario selector as a request carried it, with the element an error names. */
export interface ScenarioSelector {
  value: string;
  /** The element at fault when the value names no scenario: `X-Mock-Scenario`, `messageExtension[i].data.scenario`. */
  field: string;
}

/**
 * The scenario of one transaction (SPEC §4): the X-Mock-Scenario header, then the M3DS-SCENARIO message
 * extension, then the card (full PAN, last 4, default). A selector that names no scenario is Erro 203
 * naming its element, never silently the card's outcome: a test that asked for a scenario must not pass
 * on another one.
 */
export function selectScenario(
  table: ScenarioTable,
  pan: string,
  by: { header?: ScenarioSelector | undefined; extension?: ScenarioSelector | undefined },
  ids: ErrorIds,
): ScenarioMatch & { source: ScenarioSource } {
  for (const [source, sel] of [
    ['header', by.header],
    ['extension', by.extension],
  ] as const) {
    if (sel === undefined) continue;
    const match = table.select(sel.value);
    if (match) return { ...match, source };
    throw new AppError(
      'INVALID_FORMAT',
      `${sel.field}: "${sel.value.slice(0, 64)}" is no scenario; give a last-4 code such as 4001, or one of: ${table.names.join(', ')}`,
      ids,
      { errorMessageType: 'AReq' },
    );
  }
  return { ...table.lookup(pan), source: 'card' };
}

/** What the requestor said about challenges, from threeDSRequestorChallengeInd (string or 2.3.x array). */
interface ChallengePreference {
  mandated: boolean;
  noChallenge: boolean;
  /** 05, 06 or 07: the indicators that allow I. */
  exemption: boolean;
  /** 06, data share only: the ARes is never C. */
  dataShareOnly: boolean;
}

export function challengePreference(inds: readonly string[]): ChallengePreference {
  const has = (c: string) => inds.includes(c);
  return {
    mandated: has('04'),
    noChallenge: has('05') && !has('04'),
    exemption: has('05') || has('06') || has('07'),
    dataShareOnly: has('06'),
  };
}

export interface DecisionInput {
  scenario: ScenarioConfig;
  preference: ChallengePreference;
  flow: Flow;
  messageVersion: string;
  threeDSCompInd?: string;
  /** threeDSRequestorDecReqInd as sent (Y, N, F, B). */
  decReqInd?: string;
  methodSeen: boolean;
  slowResponseMs: number;
}

export interface Decision {
  kind: 'ares' | 'ds-error';
  transStatus: string;
  transStatusReason?: string;
  challenge?: UiKind;
  decoupled: boolean;
  dsError?: { errorCode: string; errorComponent: string; errorDescription: string };
  acsOperatorID: string;
  acsReferenceNumber: string;
  delayMs: number;
  /** The deliberate break of the answer (a broken-response test card), where it applies. */
  broken?: BrokenResponse;
}

export function decide(input: DecisionInput): Decision {
  const s = input.scenario;
  const delayMs = s.delayMs ?? (s.slow ? input.slowResponseMs : 0);
  const operator = input.preference.noChallenge
    ? { acsOperatorID: 'MOCK_ACS_NEW', acsReferenceNumber: 'issuer2' }
    : { acsOperatorID: 'MOCK_ACS', acsReferenceNumber: 'issuer1' };
  if (s.dsError || s.transStatus === 'E') {
    const e = s.dsError ?? { errorCode: '405', errorComponent: 'D' };
    return {
      kind: 'ds-error',
      transStatus: 'E',
      decoupled: false,
      dsError: {
        errorCode: e.errorCode,
        errorComponent: e.errorComponent,
        errorDescription: e.errorDescription ?? 'System failure at the Directory Server',
      },
      ...operator,
      delayMs,
    };
  }
  let status = s.transStatus;
  let ui: UiKind | undefined = s.challenge;
  let reason = s.reason;
  if (s.threeDSMethod) {
    const ran = input.threeDSCompInd === 'Y' && input.methodSeen;
    status = ran ? 'Y' : 'C';
    ui = ui ?? 'text';
  }
  if (s.challengeIndRule === 'exemption-I' && input.preference.exemption) status = 'I';
  if (s.decoupled || status === 'D') {
    // D only when the requestor asked for decoupled authentication (Y; B as well in 2.3.1, F only as
    // a fallback after a challenge; 2.1.0 has no decoupled at all): otherwise the issuer challenges with
    // a code, which the requestor's preferences below may still overrule.
    const v = input.messageVersion;
    const asked = atLeast(v, '2.2.0') && (input.decReqInd === 'Y' || (input.decReqInd === 'B' && atLeast(v, '2.3.1')));
    status = asked ? 'D' : 'C';
  }
  if (input.preference.mandated && (status === 'Y' || status === 'A' || status === 'I')) {
    status = 'C';
    ui = ui ?? 'text';
  }
  if (input.preference.noChallenge && status === 'C') status = 'Y';
  // 06 (data share only) never gets a challenge: the preference is acknowledged (I).
  if (input.preference.dataShareOnly && status === 'C') status = 'I';
  // I only answers an exemption indicator (05, 06, 07).
  if (status === 'I' && !input.preference.exemption) status = 'Y';
  if (input.flow === '3ri' && status === 'C') {
    // No cardholder is present in 3RI: a challenge cannot happen (reason 21: 3RI not supported).
    status = 'U';
    reason = '21';
  }
  const mapped = mapValue('transStatus', status, input.messageVersion);
  reason = needsReason(mapped)
    ? mapValue('transStatusReason', reason ?? (DEFAULT_REASON[mapped] as string), input.messageVersion)
    : undefined;
  const broken = brokenApplies(s.broken, mapped, input.flow) ? s.broken : undefined;
  return {
    kind: 'ares',
    transStatus: mapped,
    ...(reason !== undefined && { transStatusReason: reason }),
    ...(mapped === 'C' && { challenge: ui ?? 'text' }),
    decoupled: mapped === 'D',
    ...operator,
    delayMs,
    ...(broken !== undefined && { broken }),
  };
}

/**
 * Whether a card's break exists in this answer: the challenge breaks only with a challenge (a 3RI or
 * requestor-overruled answer has none to break), the sdkTransID only in an app ARes.
 */
function brokenApplies(b: BrokenResponse | undefined, status: string, flow: Flow): b is BrokenResponse {
  switch (b) {
    case undefined:
      return false;
    case 'no-acs-url':
    case 'acs-no-answer':
      return status === 'C';
    case 'sdk-trans-id-mismatch':
      return flow === 'app';
    case 'no-ds-trans-id':
      return true;
  }
}
