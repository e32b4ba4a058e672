// A client of the Netcetera-shaped API written the way Hyperswitch's Netcetera connector talks to a
// Netcetera 3DS Server (public source: juspay/hyperswitch, crates/hyperswitch_connectors/src/connectors/
// netcetera{.rs,/transformers.rs,/netcetera_types.rs}). It imports nothing from src/: the server is
// checked against the client's rules, not against itself.
//
// Requests are built as the connector's serde structs serialize them: camelCase, JSON numbers where EMV
// has numeric strings (purchaseAmount, purchaseExponent, screen sizes, browserTZ, sdkMaxTimeout), the
// colour depth as a string, acceptLanguage as a list (["en"] by default), the challenge indicator as a
// string before 2.3 and a list from 2.3 on, and `null` for every absent field of a struct that does not
// skip them (the connector marks only some structs skip_serializing_none).
//
// Responses are read with the connector's rules:
// - versioning: an untagged enum, success shape first ({threeDSServerTransID, cardRanges[]} with a known
//   schemeId and semantic versions), then {errorDetails}; the range with the highest
//   highestCommonSupportedVersion wins, its method URL is the acsProtocolVersions entry of that version;
//   no range means version 0.0.0 (not enrolled);
// - authentication: an untagged enum, error shape FIRST (any body with an errorDetails object holding
//   errorCode and errorDescription is an error), then the success shape; a challenge if and only if
//   acsChallengeMandated is "Y"; authenticationRequest.threeDSRequestorChallengeInd must be a list;
// - a non-2xx answer is read as {errorDetails} alone;
// - the results webhook: {threeDSServerTransID, transStatus?, …}; a missing transStatus counts as I.

type Json = Record<string, unknown>;

/** What serde would refuse: the connector fails with ResponseDeserializationFailed. */
export class DeserializeError extends Error {
  override readonly name = 'DeserializeError';
}

// The connector's enums, as their serde names.
const SCHEME_IDS = ['Visa', 'Mastercard', 'JCB', 'American Express', 'Diners', 'CB', 'UnionPay'] as const;
const TRANS_STATUSES = ['Y', 'N', 'U', 'A', 'R', 'C', 'D', 'I'] as const;
type TransStatus = (typeof TRANS_STATUSES)[number];

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function need(ok: boolean, what: string): void {
  if (!ok) throw new DeserializeError(what);
}

/** A required String. */
function str(o: Json, k: string): string {
  const v = o[k];
  need(typeof v === 'string', `${k}: expected a string, got ${JSON.stringify(v)}`);
  return v as string;
}

/** An Option<String>: absent and null are None. */
function optStr(o: Json, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  need(typeof v === 'string', `${k}: expected a string or null, got ${JSON.stringify(v)}`);
  return v as string;
}

function semver(v: unknown, k: string): [number, number, number] {
  const m = typeof v === 'string' ? /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(v) : null;
  need(m !== null, `${k}: expected a semantic version, got ${JSON.stringify(v)}`);
  const [, a, b, c] = m as RegExpExecArray;
  return [Number(a), Number(b), Number(c)];
}

function compareSemver(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], k: string): T {
  need(typeof v === 'string' && (allowed as readonly string[]).includes(v), `${k}: unknown value ${JSON.stringify(v)}`);
  return v as T;
}

function url(v: string, k: string): string {
  try {
    new URL(v);
  } catch {
    throw new DeserializeError(`${k}: not a URL: ${v}`);
  }
  return v;
}

// ---- errors ---------------------------------------------------------------------------------------

export interface ConnectorError {
  kind: 'error';
  statusCode: number;
  code: string;
  message: string;
  reason?: string;
  details: Json;
}

/** NetceteraErrorDetails: errorCode and errorDescription required, the rest Option<String>. */
function errorDetails(o: Json): Json {
  need(isObject(o.errorDetails), 'errorDetails: expected an object');
  const d = o.errorDetails as Json;
  str(d, 'errorCode');
  str(d, 'errorDescription');
  for (const k of ['threeDSServerTransID', 'acsTransID', 'dsTransID', 'errorComponent', 'errorDetail', 'sdkTransID', 'errorMessageType'])
    optStr(d, k);
  return d;
}

function connectorError(statusCode: number, d: Json): ConnectorError {
  const reason = optStr(d, 'errorDetail');
  return {
    kind: 'error',
    statusCode,
    code: d.errorCode as string,
    message: d.errorDescription as string,
    ...(reason !== undefined && { reason }),
    details: d,
  };
}

/** build_error_response: a non-2xx answer must be {threeDSServerTransID?, errorDetails}. */
function errorResponse(status: number, body: unknown): ConnectorError {
  need(isObject(body), 'error body: expected an object');
  optStr(body as Json, 'threeDSServerTransID');
  return connectorError(status, errorDetails(body as Json));
}

// ---- versioning (PreAuthentication) ----------------------------------------------------------------

export type CardNetwork = 'Visa' | 'Mastercard' | 'JCB' | 'AmericanExpress' | 'DinersClub' | 'CartesBancaires' | 'UnionPay';
const NETWORK_SCHEME: Record<CardNetwork, string> = {
  Visa: 'Visa',
  Mastercard: 'Mastercard',
  JCB: 'JCB',
  AmericanExpress: 'American Express',
  DinersClub: 'Diners',
  CartesBancaires: 'CB',
  UnionPay: 'UnionPay',
};

export interface Card {
  number: string;
  expiryMonth: string;
  /** Four digits. */
  expiryYear: string;
  cvc: string;
  network?: CardNetwork;
  /** The connector names the scheme only for co-badged cards. */
  cobadged?: boolean;
}

/** NetceteraPreAuthenticationRequest (no skip_serializing_none: an absent schemeId is null). */
export function versioningBody(card: Card): Json {
  return {
    cardholderAccountNumber: card.number,
    schemeId: card.cobadged && card.network ? NETWORK_SCHEME[card.network] : null,
  };
}

export interface PreAuthn {
  kind: 'ok';
  threeDSServerTransID: string;
  /** highestCommonSupportedVersion of the chosen range; "0.0.0" when no range came (not 3DS-eligible). */
  messageVersion: string;
  threeDSMethodURL?: string;
  threeDSMethodData?: string;
  directoryServerId?: string;
}

function cardRange(r: unknown, i: number): { version: [number, number, number]; range: Json } {
  need(isObject(r), `cardRanges[${i}]: expected an object`);
  const o = r as Json;
  oneOf(o.schemeId, SCHEME_IDS, `cardRanges[${i}].schemeId`);
  optStr(o, 'directoryServerId');
  need(Array.isArray(o.acsProtocolVersions), `cardRanges[${i}].acsProtocolVersions: expected a list`);
  (o.acsProtocolVersions as unknown[]).forEach((p, j) => {
    need(isObject(p), `acsProtocolVersions[${j}]: expected an object`);
    semver((p as Json).version, `acsProtocolVersions[${j}].version`);
    optStr(p as Json, 'threeDSMethodURL');
  });
  if (o.threeDSMethodDataForm !== undefined && o.threeDSMethodDataForm !== null) {
    need(isObject(o.threeDSMethodDataForm), 'threeDSMethodDataForm: expected an object');
    str(o.threeDSMethodDataForm as Json, 'threeDSMethodData');
  }
  return { version: semver(o.highestCommonSupportedVersion, `cardRanges[${i}].highestCommonSupportedVersion`), range: o };
}

function versioningSuccess(body: unknown): PreAuthn {
  need(isObject(body), 'versioning: expected an object');
  const o = body as Json;
  const id = str(o, 'threeDSServerTransID');
  need(Array.isArray(o.cardRanges), 'cardRanges: expected a list');
  const ranges = (o.cardRanges as unknown[]).map(cardRange);
  // Iterator::max_by_key keeps the last of equal maxima.
  let best: (typeof ranges)[number] | undefined;
  for (const r of ranges) if (!best || compareSemver(r.version, best.version) >= 0) best = r;
  if (!best) return { kind: 'ok', threeDSServerTransID: id, messageVersion: '0.0.0' };
  const version = best.version.join('.');
  const entry = (best.range.acsProtocolVersions as Json[]).find((p) => compareSemver(semver(p.version, 'version'), best.version) === 0);
  const method = entry ? optStr(entry, 'threeDSMethodURL') : undefined;
  const form = best.range.threeDSMethodDataForm as Json | undefined | null;
  const dsId = optStr(best.range, 'directoryServerId');
  return {
    kind: 'ok',
    threeDSServerTransID: id,
    messageVersion: version,
    ...(method !== undefined && { threeDSMethodURL: method }),
    ...(form ? { threeDSMethodData: form.threeDSMethodData as string } : {}),
    ...(dsId !== undefined && { directoryServerId: dsId }),
  };
}

/** The connector's handling of a versioning answer. */
export function readVersioning(status: number, body: unknown): PreAuthn | ConnectorError {
  if (status < 200 || status > 299) return errorResponse(status, body);
  try {
    return versioningSuccess(body);
  } catch (first) {
    if (!(first instanceof DeserializeError)) throw first;
    try {
      return connectorError(status, errorDetails(body as Json));
    } catch {
      throw new DeserializeError(`versioning answer matches neither shape: ${first.message}`);
    }
  }
}

// ---- authentication ----------------------------------------------------------------------------------

export interface BrowserDetails {
  acceptHeader: string;
  ipAddress: string;
  javaEnabled: boolean;
  language: string;
  colorDepth: number;
  screenHeight: number;
  screenWidth: number;
  timeZone: number;
  userAgent: string;
  javaScriptEnabled: boolean;
  /** The Accept-Language header; absent: the connector sends ["en"]. */
  acceptLanguage?: string;
}

export interface SdkInformation {
  sdkAppId: string;
  sdkEncData: string;
  sdkEphemPubKey: Record<string, string>;
  sdkMaxTimeout: number;
  sdkReferenceNumber: string;
  sdkTransId: string;
}

export interface Address {
  city: string;
  /** ISO 3166-1 numeric (the connector converts the alpha-2 code). */
  countryNumeric: string;
  line1: string;
  zip: string;
  state?: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: { countryCode: string; number: string };
}

export interface AuthenticationInput {
  preAuthn: PreAuthn;
  card: Card;
  /** Minor units. */
  amount: number;
  currency: { numeric: string; exponent: number };
  deviceChannel: 'browser' | 'app';
  /** Hyperswitch's return_url: the merchant.notificationURL. */
  returnUrl: string;
  /** Hyperswitch's webhook URL: merchant.resultsResponseNotificationUrl. */
  webhookUrl: string;
  threeDSRequestorUrl: string;
  /** threeds_method_comp_ind: Y ran, N did not complete, U no method URL. */
  methodCompInd: 'Y' | 'N' | 'U';
  forceChallenge?: boolean;
  /** psd2_sca_exemption_type transaction_risk_analysis: challenge indicator 05. */
  traExemption?: boolean;
  /**
   * threeDSRequestor.threeDSRequestorDecReqInd: a field of the connector's ThreeDSRequestor struct that
   * its builder leaves unset (null) today. Set it to ask for decoupled authentication, which EMV allows
   * an ACS only when the requestor asked for it.
   */
  decoupledRequest?: 'Y' | 'N' | 'F' | 'B';
  browser?: BrowserDetails;
  sdk?: SdkInformation;
  billing: Address;
  shipping?: Address;
  metadata: {
    mcc?: string;
    merchantCountryCode?: string;
    merchantName?: string;
    threeDSRequestorName?: string;
    threeDSRequestorId?: string;
    merchantConfigurationId?: string;
  };
  acquirer: { bin?: string; merchantId?: string; countryCode?: string };
  messageCategory?: 'payment' | 'non_payment';
  now?: Date;
}

/** SingleOrListElement::get_version_checked: a list from 2.3 on, a single value before. */
function versionChecked(version: string, value: string): string | string[] {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major >= 2 && minor >= 3 ? [value] : value;
}

function yyyymmddhhmmss(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Cardholder is skip_serializing_none: absent fields are left out; PhoneNumber is not. */
function cardholder(billing: Address, shipping: Address | undefined): Json {
  const phone = { cc: billing.phone.countryCode, subscriber: billing.phone.number };
  const out: Json = {
    billAddrCity: billing.city,
    billAddrCountry: billing.countryNumeric,
    billAddrLine1: billing.line1,
    billAddrPostCode: billing.zip,
    ...(billing.state !== undefined && { billAddrState: billing.state }),
    email: billing.email,
    homePhone: phone,
    mobilePhone: { ...phone },
    workPhone: { ...phone },
    cardholderName: `${billing.firstName} ${billing.lastName}`,
  };
  if (shipping) {
    Object.assign(out, {
      shipAddrCity: shipping.city,
      shipAddrCountry: shipping.countryNumeric,
      shipAddrLine1: shipping.line1,
      shipAddrPostCode: shipping.zip,
      ...(shipping.state !== undefined && { shipAddrState: shipping.state }),
    });
  }
  return out;
}

function acceptLanguages(header: string | undefined): string[] {
  if (header === undefined) return ['en'];
  return header.split(',').map((l) => (l.split(';')[0] ?? l).trim());
}

/** NetceteraAuthenticationRequest as the connector builds and serializes it. */
export function authenticationBody(i: AuthenticationInput): Json {
  const version = i.preAuthn.messageVersion;
  const app = i.deviceChannel === 'app';
  const indicator = i.forceChallenge ? versionChecked(version, '04') : i.traExemption ? versionChecked(version, '05') : null;
  const expiry = `${i.card.expiryYear.slice(-2)}${i.card.expiryMonth.padStart(2, '0')}`;
  const m = i.metadata;
  const b = i.browser;
  const body: Json = {
    preferredProtocolVersion: version,
    enforcePreferredProtocolVersion: app,
    deviceChannel: app ? '01' : '02',
    messageCategory: i.messageCategory === 'non_payment' ? '02' : '01',
    threeDSCompInd: i.methodCompInd,
    // ThreeDSRequestor has no skip_serializing_none: every None is a null.
    threeDSRequestor: {
      threeDSRequestorAuthenticationInd: '01',
      threeDSRequestorAuthenticationInfo: null,
      threeDSRequestorChallengeInd: indicator,
      threeDSRequestorPriorAuthenticationInfo: null,
      threeDSRequestorDecReqInd: i.decoupledRequest ?? null,
      threeDSRequestorDecMaxTime: null,
      appIp: b?.ipAddress ?? null,
      threeDSRequestorSpcSupport: null,
      spcIncompInd: null,
    },
    threeDSServerTransID: i.preAuthn.threeDSServerTransID,
    threeDSRequestorURL: i.threeDSRequestorUrl,
    cardholderAccount: {
      acctType: null,
      cardExpiryDate: expiry,
      acctInfo: null,
      acctNumber: i.card.number,
      schemeId: i.card.cobadged && i.card.network ? NETWORK_SCHEME[i.card.network] : null,
      acctID: null,
      payTokenInd: null,
      payTokenInfo: null,
      cardSecurityCode: i.card.cvc,
    },
    cardholder: cardholder(i.billing, i.shipping),
    purchase: {
      purchaseInstalData: null,
      merchantRiskIndicator: null,
      purchaseAmount: i.amount,
      purchaseCurrency: i.currency.numeric,
      purchaseExponent: i.currency.exponent,
      purchaseDate: yyyymmddhhmmss(i.now ?? new Date()),
      recurringExpiry: null,
      recurringFrequency: null,
      transType: '01',
      recurringAmount: null,
      recurringCurrency: null,
      recurringExponent: null,
      recurringDate: null,
      amountInd: null,
      frequencyInd: null,
    },
    // AcquirerData skips each absent field.
    acquirer: {
      ...(i.acquirer.bin !== undefined && { acquirerBin: i.acquirer.bin }),
      ...(i.acquirer.merchantId !== undefined && { acquirerMerchantId: i.acquirer.merchantId }),
      ...(i.acquirer.countryCode !== undefined && { acquirerCountryCode: i.acquirer.countryCode }),
    },
    // MerchantData is skip_serializing_none.
    merchant: {
      ...(m.merchantConfigurationId !== undefined && { merchantConfigurationId: m.merchantConfigurationId }),
      ...(m.mcc !== undefined && { mcc: m.mcc }),
      ...(m.merchantCountryCode !== undefined && { merchantCountryCode: m.merchantCountryCode }),
      ...(m.merchantName !== undefined && { merchantName: m.merchantName }),
      notificationURL: i.returnUrl,
      ...(m.threeDSRequestorId !== undefined && { threeDSRequestorId: m.threeDSRequestorId }),
      ...(m.threeDSRequestorName !== undefined && { threeDSRequestorName: m.threeDSRequestorName }),
      resultsResponseNotificationUrl: i.webhookUrl,
    },
  };
  if (app) {
    body.deviceRenderOptions = { sdkInterface: '03', sdkUiType: ['01', '02', '03', '04', '05'] };
    const s = i.sdk;
    if (s) {
      body.sdkInformation = {
        sdkAppID: s.sdkAppId,
        sdkEncData: s.sdkEncData,
        sdkEphemPubKey: s.sdkEphemPubKey,
        sdkMaxTimeout: s.sdkMaxTimeout,
        sdkReferenceNumber: s.sdkReferenceNumber,
        sdkTransID: s.sdkTransId,
        sdkServerSignedContent: null,
        sdkType: '01',
        defaultSdkType: { sdkVariant: '01', wrappedInd: null },
        splitSdkType: null,
      };
    }
  } else if (b) {
    body.browserInformation = {
      browserAcceptHeader: b.acceptHeader,
      browserIP: b.ipAddress,
      browserJavaEnabled: b.javaEnabled,
      browserLanguage: b.language,
      browserColorDepth: String(b.colorDepth),
      browserScreenHeight: b.screenHeight,
      browserScreenWidth: b.screenWidth,
      browserTZ: b.timeZone,
      browserUserAgent: b.userAgent,
      challengeWindowSize: '05',
      browserJavascriptEnabled: b.javaScriptEnabled,
      acceptLanguage: acceptLanguages(b.acceptLanguage),
    };
  }
  return body;
}

export interface ChallengeParams {
  acsUrl?: string;
  challengeRequest?: string;
  acsReferenceNumber?: string;
  acsTransId?: string;
  threeDSServerTransId: string;
  acsSignedContent?: string;
}

export interface AuthnResponse {
  kind: 'ok';
  flow: { type: 'frictionless' } | { type: 'challenge'; params: ChallengeParams };
  transStatus: TransStatus;
  authenticationValue?: string;
  eci?: string;
  dsTransId?: string;
  /** The first requestor challenge indicator of the echoed AReq. */
  challengeCode?: string;
  challengeCodeReason?: string;
  messageExtension?: unknown;
}

function authenticationSuccess(body: unknown): AuthnResponse {
  need(isObject(body), 'authentication: expected an object');
  const o = body as Json;
  const id = str(o, 'threeDSServerTransID');
  const transStatus = oneOf(o.transStatus, TRANS_STATUSES, 'transStatus');
  const av = optStr(o, 'authenticationValue');
  const eci = optStr(o, 'eci');
  const mandated =
    o.acsChallengeMandated === undefined || o.acsChallengeMandated === null
      ? undefined
      : oneOf(o.acsChallengeMandated, ['Y', 'N'], 'acsChallengeMandated');
  let challengeCode: string | undefined;
  let messageExtension: unknown;
  if (o.authenticationRequest !== undefined && o.authenticationRequest !== null) {
    need(isObject(o.authenticationRequest), 'authenticationRequest: expected an object');
    const rq = o.authenticationRequest as Json;
    const ind = rq.threeDSRequestorChallengeInd;
    if (ind !== undefined && ind !== null) {
      need(
        Array.isArray(ind) && ind.every((x) => typeof x === 'string'),
        `threeDSRequestorChallengeInd: expected a list of strings, got ${JSON.stringify(ind)}`,
      );
      challengeCode = (ind as string[])[0];
    }
    messageExtension = rq.messageExtension ?? undefined;
  }
  need(isObject(o.authenticationResponse), 'authenticationResponse: expected an object');
  const ar = o.authenticationResponse as Json;
  const acsUrl = optStr(ar, 'acsURL');
  if (acsUrl !== undefined) url(acsUrl, 'acsURL');
  const acsReferenceNumber = optStr(ar, 'acsReferenceNumber');
  const acsTransId = optStr(ar, 'acsTransID');
  const dsTransId = optStr(ar, 'dsTransID');
  const acsSignedContent = optStr(ar, 'acsSignedContent');
  const reason = optStr(ar, 'transStatusReason');
  const challengeRequest = optStr(o, 'base64EncodedChallengeRequest');
  const flow: AuthnResponse['flow'] =
    mandated === 'Y'
      ? {
          type: 'challenge',
          params: {
            threeDSServerTransId: id,
            ...(acsUrl !== undefined && { acsUrl }),
            ...(challengeRequest !== undefined && { challengeRequest }),
            ...(acsReferenceNumber !== undefined && { acsReferenceNumber }),
            ...(acsTransId !== undefined && { acsTransId }),
            ...(acsSignedContent !== undefined && { acsSignedContent }),
          },
        }
      : { type: 'frictionless' };
  return {
    kind: 'ok',
    flow,
    transStatus,
    ...(av !== undefined && { authenticationValue: av }),
    ...(eci !== undefined && { eci }),
    ...(dsTransId !== undefined && { dsTransId }),
    ...(challengeCode !== undefined && { challengeCode }),
    ...(reason !== undefined && { challengeCodeReason: reason }),
    ...(messageExtension !== undefined && { messageExtension }),
  };
}

/** The connector's handling of an authentication answer. */
export function readAuthentication(status: number, body: unknown): AuthnResponse | ConnectorError {
  if (status < 200 || status > 299) return errorResponse(status, body);
  // #[serde(untagged)] enum { Error(..), Success(..) }: the error shape is tried first.
  if (isObject(body)) {
    try {
      return connectorError(status, errorDetails(body));
    } catch (e) {
      if (!(e instanceof DeserializeError)) throw e;
    }
  }
  return authenticationSuccess(body);
}

// ---- the results webhook -----------------------------------------------------------------------------

export interface WebhookOutcome {
  /** ConnectorAuthenticationId: what the webhook is matched to. */
  threeDSServerTransID: string;
  transStatus: TransStatus;
  authenticationValue?: string;
  eci?: string;
  resultsRequest?: unknown;
  resultsResponse?: unknown;
}

/** ResultsResponseData, and get_external_authentication_details (missing transStatus: I). */
export function readResultsWebhook(body: unknown): WebhookOutcome {
  need(isObject(body), 'webhook: expected an object');
  const o = body as Json;
  const id = str(o, 'threeDSServerTransID');
  const st = o.transStatus === undefined || o.transStatus === null ? 'I' : oneOf(o.transStatus, TRANS_STATUSES, 'transStatus');
  const av = optStr(o, 'authenticationValue');
  const eci = optStr(o, 'eci');
  if (o.errorDetails !== undefined && o.errorDetails !== null) errorDetails(o);
  return {
    threeDSServerTransID: id,
    transStatus: st,
    ...(av !== undefined && { authenticationValue: av }),
    ...(eci !== undefined && { eci }),
    ...(o.resultsRequest !== undefined && o.resultsRequest !== null && { resultsRequest: o.resultsRequest }),
    ...(o.resultsResponse !== undefined && o.resultsResponse !== null && { resultsResponse: o.resultsResponse }),
  };
}

// ---- over HTTP, and the browser's part ------------------------------------------------------------------

export interface Answer<T> {
  status: number;
  body: unknown;
  read: T;
}

/**
 * How a POST leaves the client: fetch by default; a test of mTLS gives one that presents the connector's
 * client certificate (the connector's Netcetera auth is a certificate and key). Redirects are not followed.
 */
export type Post = (url: string, body: string, contentType: string) => Promise<{ status: number; text: string }>;

export const fetchPost: Post = async (url, body, contentType) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
};

async function postJson(u: string, body: Json, post: Post): Promise<{ status: number; body: unknown }> {
  const { status, text } = await post(u, JSON.stringify(body), 'application/json');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // kept as text: the connector would fail to deserialize it
  }
  return { status, body: parsed };
}

/** The connector's calls against a server at `base` (the connector's base_url). */
export class HyperswitchNetceteraClient {
  constructor(
    readonly base: string,
    private readonly post: Post = fetchPost,
  ) {}

  async versioning(card: Card): Promise<Answer<PreAuthn | ConnectorError>> {
    const r = await postJson(`${this.base}/3ds/versioning`, versioningBody(card), this.post);
    return { ...r, read: readVersioning(r.status, r.body) };
  }

  async authentication(input: AuthenticationInput): Promise<Answer<AuthnResponse | ConnectorError>> {
    const r = await postJson(`${this.base}/3ds/authentication`, authenticationBody(input), this.post);
    return { ...r, read: readAuthentication(r.status, r.body) };
  }
}

export interface HtmlForm {
  name: string | undefined;
  action: string;
  fields: Record<string, string>;
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeHtml(m[1] as string) : undefined;
}

/** The forms of a page and what a browser would submit from each: named inputs with a value (submit inputs without a name post nothing). */
export function formsOf(page: string): HtmlForm[] {
  return [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const fields: Record<string, string> = {};
    for (const f of (m[2] as string).matchAll(/<input\b([^>]*)>/g)) {
      const name = attr(f[1] as string, 'name');
      const type = attr(f[1] as string, 'type');
      if (name !== undefined && type === 'hidden') fields[name] = attr(f[1] as string, 'value') ?? '';
    }
    return { name: attr(m[1] as string, 'name'), action: attr(m[1] as string, 'action') ?? '', fields };
  });
}

function postForm(u: string, fields: Record<string, string>, post: Post): Promise<{ status: number; text: string }> {
  return post(u, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
}

function formNamed(page: string, name: string): HtmlForm {
  const f = formsOf(page).find((x) => x.name === name);
  if (!f) throw new Error(`no form "${name}" in page: ${page.slice(0, 500)}`);
  return f;
}

/**
 * The browser's part of a challenge as Hyperswitch's web SDK drives it: a form with the single field
 * `creq` (base64EncodedChallengeRequest, verbatim) posted to acsURL; the cardholder types the code into
 * form[name="cardholderInput"] and presses SUBMIT; the page that comes back auto-posts its form to the
 * notificationURL, which the browser follows. Returns that last post as it left the browser.
 */
export async function browserChallenge(
  params: ChallengeParams,
  code: string,
  post: Post = fetchPost,
): Promise<{ action: string; fields: Record<string, string>; status: number }> {
  if (!params.acsUrl || !params.challengeRequest) throw new Error('challenge without acsURL or challenge request');
  const page = await postForm(params.acsUrl, { creq: params.challengeRequest }, post);
  if (page.status !== 200) throw new Error(`ACS page answered ${page.status}: ${page.text.slice(0, 300)}`);
  const entry = formNamed(page.text, 'cardholderInput');
  const done = await postForm(entry.action, { ...entry.fields, challengeDataEntry: code }, post);
  if (done.status !== 200) throw new Error(`code submit answered ${done.status}: ${done.text.slice(0, 300)}`);
  const form = formNamed(done.text, 'autoPost');
  const notified = await postForm(form.action, form.fields, post);
  return { action: form.action, fields: form.fields, status: notified.status };
}

/**
 * The 3DS Method as the web SDK runs it in a hidden iframe: threeDSMethodData posted to the method URL,
 * then the ACS's page auto-posts to the notification URL inside the data. Returns that URL's status.
 */
export async function threeDSMethod(methodUrl: string, methodData: string): Promise<{ notificationUrl: string; status: number }> {
  const page = await postForm(methodUrl, { threeDSMethodData: methodData }, fetchPost);
  if (page.status !== 200) throw new Error(`3DS Method page answered ${page.status}`);
  const [post] = formsOf(page.text);
  if (!post) throw new Error('3DS Method page has no form');
  const notified = await postForm(post.action, post.fields, fetchPost);
  return { notificationUrl: post.action, status: notified.status };
}

/** A checkout as a Hyperswitch merchant sends it (EUR 45.99, a Swiss billing address, a desktop browser). */
export function checkout(
  preAuthn: PreAuthn,
  pan: string,
  over: Partial<AuthenticationInput> & { returnUrl: string; webhookUrl: string },
): AuthenticationInput {
  return {
    preAuthn,
    card: { number: pan, expiryMonth: '11', expiryYear: '2029', cvc: '737', network: 'Visa' },
    amount: 4599,
    currency: { numeric: '978', exponent: 2 },
    deviceChannel: 'browser',
    threeDSRequestorUrl: 'https://shop.example.test',
    methodCompInd: 'N',
    browser: {
      acceptHeader: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      ipAddress: '192.0.2.10',
      javaEnabled: false,
      language: 'en-GB',
      colorDepth: 24,
      screenHeight: 1080,
      screenWidth: 1920,
      timeZone: -60,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      javaScriptEnabled: true,
      acceptLanguage: 'en-GB,en;q=0.9,de;q=0.8',
    },
    billing: {
      city: 'Basel',
      countryNumeric: '756',
      line1: 'Teststrasse 1',
      zip: '4051',
      firstName: 'Ada',
      lastName: 'Tester',
      email: 'ada.tester@example.test',
      phone: { countryCode: '41', number: '611234567' },
    },
    metadata: {
      mcc: '5411',
      merchantCountryCode: '756',
      merchantName: 'Test Shop',
      threeDSRequestorName: 'Test Shop',
      threeDSRequestorId: 'requestor-0001',
    },
    acquirer: { bin: '400551', merchantId: 'MERCHANT-0001', countryCode: '756' },
    ...over,
  };
}
