// Parsing the authenticate body (SPEC §3.2) leniently: blocks may be absent, fields may sit at the top
// level instead of their block, numbers stand for numeric strings, both acquirer spellings work, the
// SDK key comes in any of its three shapes, and the spellings of Hyperswitch's Netcetera connector are
// understood (SPEC §15: merchant.threeDSRequestorId, a top-level threeDSRequestorURL, acquirerCountryCode,
// acceptLanguage, the challenge indicator as a string or an array). What the flow needs is validated with
// EMVCo codes. The result carries the flat AReq "as sent on to the DS" for the response's echo (CVC never
// copied), version-neutral: message-shapes.ts spells it for the negotiated version.
import { createPublicKey } from 'node:crypto';
import type { Flow } from '../../transaction/record.js';
import {
  block,
  bodyObject,
  checkMessageType,
  code2,
  type FieldContext,
  flag,
  httpUrl,
  invalid,
  isMessageVersion,
  type Json,
  messageCategory,
  missing,
  numeric,
  pan,
  text,
  transactionId,
  uuid,
} from '../../wire/fields.js';
import { parseMessageExtension, scenarioExtension } from '../../wire/message-extension.js';
import type { MessageExtension, SdkKey } from '../../wire/messages.js';

export interface ParsedAReq {
  threeDSServerTransID: string;
  deviceChannel: '01' | '02' | '03';
  flow: Flow;
  messageCategory: string;
  preferredProtocolVersion?: string;
  enforcePreferredProtocolVersion: boolean;
  threeDSCompInd?: string;
  challengeInds: string[];
  /** threeDSRequestorDecReqInd: Y, N, F or B. */
  decReqInd?: string;
  /** Validated; every critical entry has been refused (Erro 202). */
  messageExtension?: MessageExtension[];
  /** The scenario the M3DS-SCENARIO extension names (SPEC §4), with its element for an error. */
  scenarioExtension?: { value: string; field: string };
  pan: string;
  schemeId?: string;
  notificationURL?: string;
  resultsURL?: string;
  challengeWindowSize?: string;
  purchaseDate?: string;
  sdk?: { sdkTransID: string; sdkEphemPubKey: SdkKey; sdkReferenceNumber?: string; sdkAppID?: string };
  /** Flat AReq fields for the echo, without acctNumber (added per protocol.echoFullPan) and the CVC. */
  echo: Json;
}

const FLOWS = { '01': 'app', '02': 'browser', '03': '3ri' } as const;

// EMV AReq elements copied into the echo, by the block clients put them in (unknown keys are ignored).
const COPY: Record<string, readonly string[]> = {
  cardholder: [
    'addrMatch',
    'billAddrCity',
    'billAddrCountry',
    'billAddrLine1',
    'billAddrLine2',
    'billAddrLine3',
    'billAddrPostCode',
    'billAddrState',
    'email',
    'homePhone',
    'mobilePhone',
    'workPhone',
    'cardholderName',
    'shipAddrCity',
    'shipAddrCountry',
    'shipAddrLine1',
    'shipAddrLine2',
    'shipAddrLine3',
    'shipAddrPostCode',
    'shipAddrState',
  ],
  cardholderAccount: ['acctType', 'cardExpiryDate', 'acctInfo', 'acctID', 'schemeId', 'payTokenInd', 'payTokenInfo'],
  purchase: [
    'purchaseInstalData',
    'merchantRiskIndicator',
    'purchaseAmount',
    'purchaseCurrency',
    'purchaseExponent',
    'purchaseDate',
    'recurringExpiry',
    'recurringFrequency',
    'transType',
    'recurringInd',
    'transChar',
  ],
  merchant: [
    'mcc',
    'merchantCountryCode',
    'merchantName',
    'threeDSRequestorID',
    'threeDSRequestorId',
    'threeDSRequestorName',
    'notificationURL',
    'merchantRiskIndicator',
  ],
  threeDSRequestor: [
    'threeDSRequestorAuthenticationInd',
    'threeDSRequestorAuthenticationInfo',
    'threeDSRequestorPriorAuthenticationInfo',
    'threeDSRequestorDecMaxTime',
    'threeDSRequestorID',
    'threeDSRequestorId',
    'threeDSRequestorName',
    'appIp',
  ],
  browserInformation: [
    'browserAcceptHeader',
    'browserIP',
    'browserJavaEnabled',
    'browserJavascriptEnabled',
    'browserLanguage',
    'browserColorDepth',
    'browserScreenHeight',
    'browserScreenWidth',
    'browserTZ',
    'browserUserAgent',
  ],
  '': ['threeRIInd', 'payTokenInd', 'deviceRenderOptions', 'notificationURL', 'broadInfo', 'threeDSMethodId'],
};

// Other spellings clients use for an element (Hyperswitch's Netcetera connector: threeDSRequestorId).
const ALIAS: Readonly<Record<string, string>> = { threeDSRequestorId: 'threeDSRequestorID' };

// Numeric strings of a fixed length: a JSON number gets its leading zeros back (756 → "756", 5 → "05").
const PADDED: Readonly<Record<string, number>> = {
  purchaseCurrency: 3,
  merchantCountryCode: 3,
  acquirerCountryCode: 3,
  threeDSRequestorDecMaxTime: 5,
};

// Numeric strings EMV defines that clients send as JSON numbers: [max digits, signed].
const NUMERIC: Record<string, [number, boolean]> = {
  purchaseAmount: [48, false],
  purchaseExponent: [1, false],
  purchaseCurrency: [3, false],
  browserTZ: [5, true],
  browserScreenHeight: [6, false],
  browserScreenWidth: [6, false],
  browserColorDepth: [2, false],
  recurringFrequency: [4, false],
  purchaseInstalData: [3, false],
  mcc: [4, false],
  merchantCountryCode: [3, false],
  threeDSRequestorDecMaxTime: [5, false],
};

export function parseAReq(raw: unknown): ParsedAReq {
  const body = bodyObject(raw, 'AReq');
  const ctx: FieldContext = { ids: {}, messageType: 'AReq' };
  checkMessageType(ctx, body.messageType);
  const id = transactionId(ctx, body.threeDSServerTransID);

  const blocks: Record<string, Json | undefined> = {};
  for (const name of [
    'cardholder',
    'cardholderAccount',
    'purchase',
    'acquirer',
    'merchant',
    'threeDSRequestor',
    'browserInformation',
    'sdkInformation',
  ]) {
    blocks[name] = block(ctx, body, name);
  }
  const pick = (blockName: string, key: string): unknown => blocks[blockName]?.[key] ?? body[key];

  const channelCode = code2(ctx, body.deviceChannel, 'deviceChannel', ['01', '02', '03']);
  if (!channelCode) throw missing(ctx, 'deviceChannel');
  const deviceChannel = channelCode as '01' | '02' | '03';
  const flow = FLOWS[deviceChannel];
  const category = messageCategory(ctx, body.messageCategory) ?? '01';

  const preferred = text(ctx, body.preferredProtocolVersion, 'preferredProtocolVersion');
  if (preferred !== undefined && !isMessageVersion(preferred))
    throw invalid(ctx, 'preferredProtocolVersion', 'must be a version such as 2.2.0');
  const enforce = flag(ctx, body.enforcePreferredProtocolVersion, 'enforcePreferredProtocolVersion') ?? false;
  const compInd = text(ctx, body.threeDSCompInd, 'threeDSCompInd');
  if (compInd !== undefined && !['Y', 'N', 'U'].includes(compInd)) throw invalid(ctx, 'threeDSCompInd', 'must be Y, N or U');

  const acct = pan(ctx, pick('cardholderAccount', 'acctNumber') ?? body.cardNumber, 'acctNumber');
  const schemeId = text(ctx, pick('cardholderAccount', 'schemeId'), 'schemeId');
  const expiry = text(ctx, pick('cardholderAccount', 'cardExpiryDate'), 'cardExpiryDate');
  if (expiry !== undefined && !/^[0-9]{4}$/.test(expiry)) throw invalid(ctx, 'cardExpiryDate', 'must be YYMM');

  const challengeInds = parseChallengeInd(ctx, pick('threeDSRequestor', 'threeDSRequestorChallengeInd'));
  const decReqInd = text(ctx, pick('threeDSRequestor', 'threeDSRequestorDecReqInd'), 'threeDSRequestorDecReqInd');
  if (decReqInd !== undefined && !['Y', 'N', 'F', 'B'].includes(decReqInd))
    throw invalid(ctx, 'threeDSRequestorDecReqInd', 'must be Y, N, F or B');
  // Hyperswitch sends threeDSRequestorURL at the top level; EMV has it in every AReq.
  const requestorURL = httpUrl(
    ctx,
    blocks.threeDSRequestor?.threeDSRequestorURL ?? blocks.merchant?.threeDSRequestorURL ?? body.threeDSRequestorURL,
    'threeDSRequestorURL',
  );
  const extensions = parseMessageExtension(ctx, body.messageExtension);
  const selector = scenarioExtension(ctx, extensions);
  const notificationURL = httpUrl(ctx, pick('merchant', 'notificationURL'), 'notificationURL');
  if (flow === 'browser' && !notificationURL) throw missing(ctx, 'notificationURL', 'is required for browser flows');
  const resultsURL = httpUrl(ctx, pick('merchant', 'resultsResponseNotificationUrl'), 'resultsResponseNotificationUrl');
  const windowSize = code2(ctx, pick('browserInformation', 'challengeWindowSize'), 'challengeWindowSize', ['01', '02', '03', '04', '05']);
  const purchaseDate = text(ctx, pick('purchase', 'purchaseDate'), 'purchaseDate');
  if (purchaseDate !== undefined && !/^[0-9]{14}$/.test(purchaseDate)) throw invalid(ctx, 'purchaseDate', 'must be YYYYMMDDHHMMSS');

  const echo: Json = {};
  for (const [blockName, keys] of Object.entries(COPY)) {
    const src = blockName === '' ? body : blocks[blockName];
    if (!src) continue;
    for (const key of keys) {
      const v = src[key];
      const target = ALIAS[key] ?? key;
      if (v === undefined || v === null || echo[target] !== undefined) continue;
      const num = NUMERIC[key];
      echo[target] = num ? numeric(ctx, v, key, num[0], num[1]) : withoutCvc(v);
    }
  }
  // Numeric fields sent at the top level instead of their block still get validated.
  for (const key of Object.keys(NUMERIC)) {
    if (echo[key] === undefined && body[key] !== undefined)
      echo[key] = numeric(ctx, body[key], key, ...(NUMERIC[key] as [number, boolean]));
  }
  if (challengeInds.length > 0) echo.threeDSRequestorChallengeInd = challengeInds;
  if (decReqInd !== undefined) echo.threeDSRequestorDecReqInd = decReqInd;
  if (requestorURL !== undefined) echo.threeDSRequestorURL = requestorURL;
  if (flow === 'browser') {
    const languages = acceptLanguage(ctx, pick('browserInformation', 'acceptLanguage'));
    if (languages) echo.acceptLanguage = languages;
  }
  const acquirer = blocks.acquirer;
  const bin = text(ctx, acquirer?.acquirerBIN ?? acquirer?.acquirerBin ?? body.acquirerBIN ?? body.acquirerBin, 'acquirerBIN');
  const mid = text(
    ctx,
    acquirer?.acquirerMerchantID ?? acquirer?.acquirerMerchantId ?? body.acquirerMerchantID ?? body.acquirerMerchantId,
    'acquirerMerchantID',
  );
  if (bin !== undefined) echo.acquirerBIN = bin;
  if (mid !== undefined) echo.acquirerMerchantID = mid;
  const country = numeric(ctx, acquirer?.acquirerCountryCode ?? body.acquirerCountryCode, 'acquirerCountryCode', 3);
  if (country !== undefined) {
    echo.acquirerCountryCode = country;
    // 2.3.1 names who set the country: this 3DS Server (01), unless the client said.
    echo.acquirerCountryCodeSource = code2(ctx, acquirer?.acquirerCountryCodeSource, 'acquirerCountryCodeSource') ?? '01';
  }
  for (const [key, width] of Object.entries(PADDED)) {
    const v = echo[key];
    if (typeof v === 'string' && v.length < width) echo[key] = v.padStart(width, '0');
  }
  if (extensions) echo.messageExtension = extensions;
  echo.deviceChannel = deviceChannel;
  echo.messageCategory = category;
  if (compInd !== undefined) echo.threeDSCompInd = compInd;

  const sdk = flow === 'app' ? parseSdk(ctx, body, blocks.sdkInformation) : undefined;
  if (sdk) {
    echo.sdkTransID = sdk.sdkTransID;
    echo.sdkEphemPubKey = sdk.sdkEphemPubKey;
    if (sdk.sdkReferenceNumber) echo.sdkReferenceNumber = sdk.sdkReferenceNumber;
    if (sdk.sdkAppID) echo.sdkAppID = sdk.sdkAppID;
    const maxTimeout = numeric(ctx, blocks.sdkInformation?.sdkMaxTimeout ?? body.sdkMaxTimeout, 'sdkMaxTimeout', 2);
    if (maxTimeout !== undefined) echo.sdkMaxTimeout = maxTimeout.padStart(2, '0');
    // The rest of what the SDK hands the 3DS Server for the DS (sdkType and its variants are 2.3.1).
    for (const key of ['sdkEncData', 'sdkType', 'defaultSdkType', 'splitSdkType']) {
      const v = blocks.sdkInformation?.[key] ?? body[key];
      if (v !== undefined && v !== null) echo[key] = v;
    }
  }

  return {
    threeDSServerTransID: id,
    deviceChannel,
    flow,
    messageCategory: category,
    ...(preferred !== undefined && { preferredProtocolVersion: preferred }),
    enforcePreferredProtocolVersion: enforce,
    ...(compInd !== undefined && { threeDSCompInd: compInd }),
    challengeInds,
    ...(decReqInd !== undefined && { decReqInd }),
    ...(extensions && { messageExtension: extensions }),
    ...(selector && { scenarioExtension: selector }),
    pan: acct,
    ...(schemeId !== undefined && { schemeId }),
    ...(notificationURL !== undefined && { notificationURL }),
    ...(resultsURL !== undefined && { resultsURL }),
    ...(windowSize !== undefined && { challengeWindowSize: windowSize }),
    ...(purchaseDate !== undefined && { purchaseDate }),
    ...(sdk && { sdk }),
    echo,
  };
}

/** acceptLanguage (2.3.1, browsers): an array of 1–99 BCP 47 tags; one tag as a string is taken too. */
function acceptLanguage(ctx: FieldContext, v: unknown): string[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.length > 99 || list.some((x) => typeof x !== 'string' || x === '' || x.length > 100)) {
    throw invalid(ctx, 'acceptLanguage', 'must be 1 to 99 language tags of at most 100 characters');
  }
  return list as string[];
}

function parseChallengeInd(ctx: FieldContext, v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > 2) throw invalid(ctx, 'threeDSRequestorChallengeInd', 'at most two values');
  return list.map((x) => code2(ctx, x, 'threeDSRequestorChallengeInd') as string).filter(Boolean);
}

function parseSdk(ctx: FieldContext, body: Json, info: Json | undefined): ParsedAReq['sdk'] {
  const transId = uuid(ctx, body.sdkTransID ?? info?.sdkTransID, 'sdkTransID', 'is required for app flows');
  ctx.ids = { ...ctx.ids, sdkTransID: transId };
  const key = sdkKey(ctx, body, info);
  const ref = text(ctx, info?.sdkReferenceNumber ?? body.sdkReferenceNumber, 'sdkReferenceNumber');
  const appId = text(ctx, info?.sdkAppID ?? body.sdkAppID, 'sdkAppID');
  return { sdkTransID: transId, sdkEphemPubKey: key, ...(ref && { sdkReferenceNumber: ref }), ...(appId && { sdkAppID: appId }) };
}

/** The SDK ephemeral key from any of the three shapes clients send, normalised to one JWK. */
function sdkKey(ctx: FieldContext, body: Json, info: Json | undefined): SdkKey {
  const name = 'sdkEphemPubKey';
  let raw: unknown = info?.sdkEphemPubKey ?? body.sdkEphemPubKey ?? body.sdkEphemeralPublicKey;
  if (raw === undefined && (body.Kty !== undefined || body.kty !== undefined)) {
    raw = { kty: body.Kty ?? body.kty, crv: body.Crv ?? body.crv, x: body.X ?? body.x, y: body.Y ?? body.y };
  }
  if (raw === undefined || raw === null) throw missing(ctx, name, 'the SDK ephemeral public key is required for app flows');
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw invalid(ctx, name, 'must be a JWK');
    }
  }
  const k = raw as Json;
  if (!k || typeof k !== 'object' || k.kty !== 'EC' || k.crv !== 'P-256' || typeof k.x !== 'string' || typeof k.y !== 'string') {
    throw invalid(ctx, name, 'must be an EC P-256 JWK {kty, crv, x, y}');
  }
  const jwk: SdkKey = { kty: 'EC', crv: 'P-256', x: k.x, y: k.y };
  try {
    createPublicKey({ key: { ...jwk }, format: 'jwk' });
  } catch {
    throw invalid(ctx, name, 'is not a point on P-256');
  }
  return jwk;
}

/**
 * A copy of an echoed value without any `cardSecurityCode`, at any depth: clients sometimes nest the CVC
 * in blocks that are echoed whole, and the CVC is never echoed or stored (SPEC §3.2). Depth is bounded
 * by the body reader (MAX_JSON_DEPTH), so the recursion is too.
 */
function withoutCvc(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutCvc);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'cardSecurityCode') continue;
    // A "__proto__" key from JSON is an own property of the parsed object; assigned as out[k] it would
    // replace the copy's prototype instead of being copied. Defined, it stays data.
    if (k === '__proto__') Object.defineProperty(out, k, { value: withoutCvc(x), enumerable: true, writable: true, configurable: true });
    else out[k] = withoutCvc(x);
  }
  return out;
}
