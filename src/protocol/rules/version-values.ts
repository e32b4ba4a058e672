// The enumerated values of EMV 3DS that came with a later message version (SPEC §15), and what a message
// of a version that lacks one carries instead. Messages are built once, with the value the situation
// calls for, and every value goes through mapValue for the version the message states (the shapers of
// message-shapes.ts do this on the way out). README's version-mapping table is generated from
// VALUE_RULES (scripts/readme-tables.ts), so it says exactly what the code does. Sources: EMVCo 3DS
// 2.3.1 Annex A (values per data element, Table A.17); the 2.1.0/2.2.0 value lists they extend.

/** The three versions whose rules the server applies; any other messageVersion follows the nearest. */
export type Profile = '2.1.0' | '2.2.0' | '2.3.1';
export const PROFILES: readonly Profile[] = ['2.1.0', '2.2.0', '2.3.1'];

const RANK: Record<Profile, number> = { '2.1.0': 0, '2.2.0': 1, '2.3.1': 2 };

/** The rules a messageVersion follows: 2.1.x and below → 2.1.0, 2.2.x → 2.2.0, 2.3.x and above → 2.3.1. */
export function profileOf(version: string): Profile {
  if (version === '2.2.0' || version === '2.3.1' || version === '2.1.0') return version;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 2 || (major === 2 && minor <= 1)) return '2.1.0';
  return major === 2 && minor === 2 ? '2.2.0' : '2.3.1';
}

/** True when `version` has everything `profile` introduced. */
export function atLeast(version: string, profile: Profile): boolean {
  return RANK[profileOf(version)] >= RANK[profile];
}

export type MappedElement =
  | 'transStatus'
  | 'transStatusReason'
  | 'challengeCancel'
  | 'resultsStatus'
  | 'acsUiType'
  | 'authenticationType'
  | 'threeDSRequestorChallengeInd'
  | 'threeDSRequestorDecReqInd';

export interface ValueRule {
  value: string;
  meaning: string;
  /** The first version that defines the value. */
  since: Profile;
  /** What a message of an earlier version carries instead (mapped again when that is missing too). */
  instead: string;
}

const rule = (value: string, meaning: string, since: Profile, instead: string): ValueRule => ({ value, meaning, since, instead });

/** Values not in every version, by element; values absent here exist in all three versions. */
export const VALUE_RULES: Readonly<Record<MappedElement, readonly ValueRule[]>> = {
  transStatus: [
    rule('D', 'challenge required, decoupled authentication confirmed', '2.2.0', 'C'),
    rule('I', 'informational only, challenge preference acknowledged', '2.2.0', 'Y'),
    rule('S', 'challenge using SPC', '2.3.1', 'C'),
  ],
  transStatusReason: [
    // 2.1.0 defines 01–21: a reason it lacks becomes the nearest it has.
    rule('22', 'ACS technical issue', '2.2.0', '07'),
    rule('23', 'decoupled authentication required by the ACS but not requested', '2.2.0', '07'),
    rule('24', '3DS Requestor decoupled max expiry time exceeded', '2.2.0', '14'),
    rule('25', 'decoupled authentication given insufficient time', '2.2.0', '14'),
    rule('26', 'authentication attempted but not performed by the cardholder', '2.2.0', '01'),
    rule('27', 'preferred authentication method not supported', '2.3.1', '07'),
    rule('28', 'validation of content security policy failed', '2.3.1', '09'),
    rule('29', 'authentication attempted but not completed; fall back to decoupled', '2.3.1', '26'),
    rule('30', 'authentication completed, additional authentication required as decoupled', '2.3.1', '23'),
  ],
  challengeCancel: [
    rule('03', 'transaction timed out – decoupled authentication', '2.2.0', '04'),
    rule('08', 'transaction timed out at the 3DS SDK', '2.3.1', '04'),
    rule('09', 'Erro in response to the CRes', '2.3.1', '06'),
    rule('10', 'Erro in response to the CReq', '2.3.1', '06'),
  ],
  resultsStatus: [rule('04', '3DS Server will process decoupled authentication later', '2.3.1', '01')],
  acsUiType: [rule('06', 'HTML OOB', '2.3.1', '05'), rule('07', 'information', '2.3.1', '04')],
  authenticationType: [rule('04', 'decoupled', '2.2.0', '03')],
  threeDSRequestorChallengeInd: [
    rule('05', 'no challenge requested (TRA already performed)', '2.2.0', '02'),
    rule('06', 'no challenge requested (data share only)', '2.2.0', '02'),
    rule('07', 'no challenge requested (SCA already performed)', '2.2.0', '02'),
    rule('08', 'no challenge requested (trust list exemption)', '2.2.0', '02'),
    rule('09', 'challenge requested (trust list prompt)', '2.2.0', '03'),
    rule('10', 'no challenge requested (low value exemption)', '2.3.1', '02'),
    rule('11', 'no challenge requested (secure corporate payment)', '2.3.1', '02'),
    rule('12', 'challenge requested (device binding prompt)', '2.3.1', '03'),
    rule('13', 'challenge requested (issuer requested)', '2.3.1', '03'),
    rule('14', 'challenge requested (merchant-initiated transactions)', '2.3.1', '03'),
  ],
  threeDSRequestorDecReqInd: [
    rule('F', 'decoupled only as a fallback', '2.3.1', 'N'),
    rule('B', 'decoupled as primary or fallback', '2.3.1', 'Y'),
  ],
};

/** Elements that not every version has (for the README table): the versions that have them. */
export const ELEMENT_VERSIONS: Readonly<Partial<Record<MappedElement, readonly Profile[]>>> = {
  // 2.3.1 replaced it with the authenticationMethod array (methodOfType maps the codes).
  authenticationType: ['2.1.0', '2.2.0'],
  threeDSRequestorDecReqInd: ['2.2.0', '2.3.1'],
};

const INDEX = new Map<MappedElement, Map<string, ValueRule>>(
  Object.entries(VALUE_RULES).map(([element, rules]) => [element as MappedElement, new Map(rules.map((r) => [r.value, r]))]),
);

/**
 * The value a message of `version` carries for `value` of `element`: itself when the version defines
 * it, else the replacement (repeatedly, down to one the version has). DS-specific values (80–99) and
 * values this table does not know pass unchanged.
 */
export function mapValue(element: MappedElement, value: string, version: string): string {
  const rules = INDEX.get(element) as Map<string, ValueRule>;
  let v = value;
  for (let r = rules.get(v); r !== undefined && !atLeast(version, r.since); r = rules.get(v)) v = r.instead;
  return v;
}

/** The reason N, U and R carry when nothing more precise is known (both in ARes and RReq). */
export const DEFAULT_REASON: Readonly<Record<string, string>> = { N: '01', R: '11', U: '22' };

/** Statuses that must carry a transStatusReason (Annex A: ARes and RReq, 01-PA). */
export function needsReason(transStatus: string): boolean {
  return transStatus === 'N' || transStatus === 'U' || transStatus === 'R';
}

// authenticationType (2.1.0, 2.2.0) and authenticationMethod (2.3.1) describe the same thing in
// different code lists; when a message states only one, the other is derived.
const METHOD_OF_TYPE: Readonly<Record<string, string>> = { '01': '01', '02': '02', '03': '09', '04': '12' };
const TYPE_OF_METHOD: Readonly<Record<string, string>> = {
  '01': '01',
  '02': '02',
  '03': '02',
  '04': '02',
  '05': '02',
  '06': '01',
  '07': '03',
  '08': '03',
  '09': '03',
  '11': '03',
  '12': '04',
};

/** The 2.3.1 authenticationMethod for a 2.1.0/2.2.0 authenticationType (static 01, OTP 02, OOB 09, decoupled 12). */
export function methodOfType(type: string): string | undefined {
  return METHOD_OF_TYPE[type];
}

/** The 2.1.0/2.2.0 authenticationType closest to a 2.3.1 authenticationMethod. */
export function typeOfMethod(method: string): string | undefined {
  return TYPE_OF_METHOD[method];
}

/** How many messageExtension entries a message may carry: 10 before 2.3.1, 15 in 2.3.1 (Annex A.12). */
export function maxMessageExtensions(version: string): number {
  return atLeast(version, '2.3.1') ? 15 : 10;
}
