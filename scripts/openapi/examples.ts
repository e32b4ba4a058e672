// Examples of docs/openapi.json: README's walkthrough (a frictionless card 4000 and the challenge card
// 4001 on http://localhost:8080, the Netcetera-shaped flow with its listener on port 9901), with fixed
// IDs so that the document is the same at every build. Request bodies come from examples/ (their
// REPLACE placeholders filled in); error bodies are made by the server's own error code (src/errors.ts,
// the Netcetera error shape), so they are exactly what it answers. The conformance test validates every
// example against its schema (test/http/routes/openapi.test.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, type ErrorIds, type ErrorName, errorEnvelope } from '../../src/errors.js';
import { netceteraErrorBody } from '../../src/protocol/flows/netcetera/shapes.js';

type Json = Record<string, unknown>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const BASE = 'http://localhost:8080';
export const TRANS_ID = '8a880dc0-d2d2-4067-bcb1-b08d1690b26e';
export const ACS_TRANS_ID = '4f4c3a2e-6f0b-4d1c-9a57-2a8c0c1f9e31';
export const DS_TRANS_ID = 'c1f3b5d7-2e4a-4b6c-8d0e-1f2a3b4c5d6e';
export const SDK_TRANS_ID = '0b6e0f52-7f3c-4b4e-9a51-6d2c8e9f1a37';
const AUTH_VALUE = 'HK5Fn2H9hvwWX5Q71wOsqQZDmNE=';
const SDK_KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'Lvp3sfTTholT8csojmZZkjKBKHs4MFU69s7SaMS873U',
  y: 'SxQ5Pa8GOnYwPXEWMlpY6ck6owPFE3SLOxg8rxc7jwE',
};

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A file of examples/ with its REPLACE placeholders filled with this document's IDs. */
function sample(file: string): Json {
  const filled = readFileSync(path.join(ROOT, 'examples', file), 'utf8')
    .replace(/"REPLACE_WITH_SDK_TRANS_ID"/g, JSON.stringify(SDK_TRANS_ID))
    .replace(/"REPLACE_WITH_ID_FROM_VERSION(ING)?"/g, JSON.stringify(TRANS_ID));
  const body = JSON.parse(filled) as Json;
  // The remaining placeholders are the IDs of a results call and the SDK key of an app AReq.
  for (const [k, v] of [
    ['threeDSServerTransID', TRANS_ID],
    ['acsTransID', ACS_TRANS_ID],
    ['dsTransID', DS_TRANS_ID],
  ] as const) {
    if (body[k] === 'REPLACE') body[k] = v;
  }
  const sdk = body.sdkInformation as Json | undefined;
  if (sdk && (sdk.sdkEphemPubKey as Json | undefined)?.x === 'REPLACE') sdk.sdkEphemPubKey = SDK_KEY;
  return body;
}

// ------------------------------------------------------------------ the existing mock's API
export const versionRequest = { cardNumber: '4000400040004000' };
const visaRange = {
  startRange: '4000000000000000',
  endRange: '4999999999999999',
  acsStartProtocolVersion: '2.1.0',
  acsEndProtocolVersion: '2.3.1',
  acsInfoInd: ['01', '02'],
};
export const versionResponse = { threeDSServerTransID: TRANS_ID, cardRanges: [visaRange] };
export const versionResponseMethod = {
  threeDSServerTransID: TRANS_ID,
  cardRanges: [{ ...visaRange, threeDSMethodURL: `${BASE}/processor/mock/acs/3ds-method` }],
};
export const versionResponseNotEnrolled = { threeDSServerTransID: TRANS_ID, cardRanges: [] };

export const authenticateBrowser = sample('authenticate-browser.json');
export const authenticateApp = sample('authenticate-app.json');

function areqEcho(pan: string, extra: Json = {}): Json {
  return {
    cardholderName: 'Ada Tester',
    acctType: '02',
    cardExpiryDate: '2911',
    schemeId: 'VISA',
    purchaseAmount: '4599',
    purchaseCurrency: '756',
    purchaseExponent: '2',
    purchaseDate: '20261121093000',
    transType: '01',
    mcc: '5411',
    merchantCountryCode: '756',
    merchantName: 'Test Shop',
    threeDSRequestorID: 'requestor-0001',
    threeDSRequestorName: 'Test Shop',
    notificationURL: 'http://127.0.0.1:9901/3ds/notify',
    threeDSRequestorAuthenticationInd: '01',
    threeDSRequestorChallengeInd: '01',
    browserAcceptHeader: 'text/html,application/json',
    browserIP: '192.0.2.10',
    browserJavaEnabled: false,
    browserLanguage: 'en-GB',
    browserColorDepth: '24',
    browserScreenHeight: '900',
    browserScreenWidth: '1440',
    browserTZ: '-60',
    browserUserAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    acquirerBIN: '400551',
    acquirerMerchantID: 'MERCHANT-0001',
    deviceChannel: '02',
    messageCategory: '01',
    threeDSCompInd: 'N',
    messageType: 'AReq',
    messageVersion: '2.2.0',
    threeDSServerTransID: TRANS_ID,
    threeDSServerRefNumber: '3DS_LOA_SER_MOCK_020200_00001',
    threeDSServerOperatorID: 'MOCK_3DS_SERVER',
    threeDSServerURL: `${BASE}/3ds/results`,
    acctNumber: pan,
    ...extra,
  };
}

const aresBase = {
  messageType: 'ARes',
  messageVersion: '2.2.0',
  threeDSServerTransID: TRANS_ID,
  acsTransID: ACS_TRANS_ID,
  dsTransID: DS_TRANS_ID,
};
const aresFrictionless = {
  ...aresBase,
  transStatus: 'Y',
  acsChallengeMandated: 'N',
  authenticationValue: AUTH_VALUE,
  eci: '05',
  acsReferenceNumber: 'issuer1',
  acsOperatorID: 'MOCK_ACS',
  dsReferenceNumber: 'MOCK_DS',
};
const aresChallenge = {
  ...aresBase,
  transStatus: 'C',
  acsChallengeMandated: 'Y',
  authenticationType: '02',
  acsReferenceNumber: 'issuer1',
  acsOperatorID: 'MOCK_ACS',
  dsReferenceNumber: 'MOCK_DS',
  acsURL: `${BASE}/processor/mock/acs/trigger-otp`,
};
export const creq = {
  messageType: 'CReq',
  messageVersion: '2.2.0',
  threeDSServerTransID: TRANS_ID,
  acsTransID: ACS_TRANS_ID,
  challengeWindowSize: '03',
};
export const creqEncoded = b64url(creq);

export const authenticateFrictionless = {
  threeDSServerTransID: TRANS_ID,
  transStatus: 'Y',
  acsChallengeMandated: 'N',
  purchaseDate: '20261121093000',
  authenticationRequest: areqEcho('4000400040004000'),
  authenticationResponse: aresFrictionless,
  eci: '05',
  authenticationValue: AUTH_VALUE,
};
export const authenticateChallenge = {
  threeDSServerTransID: TRANS_ID,
  transStatus: 'C',
  acsChallengeMandated: 'Y',
  purchaseDate: '20261121093000',
  authenticationRequest: areqEcho('4000400040004001'),
  authenticationResponse: aresChallenge,
  challengeRequest: creq,
  base64EncodedChallengeRequest: creqEncoded,
  acsURL: `${BASE}/processor/mock/acs/trigger-otp`,
};

export const resultsRequest = sample('results.json');
export const rres = {
  messageType: 'RRes',
  messageVersion: '2.2.0',
  threeDSServerTransID: TRANS_ID,
  acsTransID: ACS_TRANS_ID,
  dsTransID: DS_TRANS_ID,
  resultsStatus: '01',
};
export const finalRequest = sample('final.json');
const rreq = {
  messageType: 'RReq',
  messageVersion: '2.2.0',
  messageCategory: '01',
  threeDSServerTransID: TRANS_ID,
  acsTransID: ACS_TRANS_ID,
  dsTransID: DS_TRANS_ID,
  transStatus: 'Y',
  eci: '05',
  authenticationValue: AUTH_VALUE,
  authenticationType: '02',
  interactionCounter: '01',
};
export const finalAfterChallenge = {
  threeDSServerTransID: TRANS_ID,
  transStatus: 'Y',
  eci: '05',
  authenticationValue: AUTH_VALUE,
  resultsRequest: rreq,
  resultsResponse: rres,
};
export const finalFrictionless = { threeDSServerTransID: TRANS_ID, transStatus: 'Y', eci: '05', authenticationValue: AUTH_VALUE };

// ------------------------------------------------------------------ the ACS
export const challengePageForm = { creq: creqEncoded, threeDSSessionData: 'order-42' };
export const challengePageFormJson = { creq: JSON.stringify(creq) };
export const submitCode = { threeDSServerTransID: TRANS_ID, challengeDataEntry: '1234' };
export const submitOtp = { threeDSServerTransID: TRANS_ID, otp: '1234' };
export const submitCancel = { threeDSServerTransID: TRANS_ID, action: 'cancel' };
export const submitMulti = { threeDSServerTransID: TRANS_ID, 'select-01': '01', 'select-03': '03' };
export const finalCres = {
  threeDSServerTransID: TRANS_ID,
  acsTransID: ACS_TRANS_ID,
  messageType: 'CRes',
  messageVersion: '2.2.0',
  transStatus: 'Y',
  challengeCompletionInd: 'Y',
};
export const cresEncoded = b64url(finalCres);
export const redirectLocation = `http://127.0.0.1:9901/3ds/return?transStatus=Y&threeDSServerTransID=${TRANS_ID}&eci=05&authenticationValue=${encodeURIComponent(AUTH_VALUE)}`;
export const challengePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">…<title>Purchase authentication</title>…</head>
<body class="w03"><main>…
<form name="cardholderInput" method="post" action="${BASE}/processor/mock/acs/verify-otp"><input type="hidden" name="threeDSServerTransID" value="${TRANS_ID}">
<label for="m3ds-code">One-time code</label><input id="m3ds-code" name="challengeDataEntry" type="text" …>
<input type="submit" value="SUBMIT"></form>
<div class="row"><form name="resendForm" …>…</form><form name="cancelForm" …>…</form></div>…</main></body></html>`;
export const autoPostPage = `<!doctype html>
<html lang="en"><head>…<title>Returning to the merchant</title>…</head>
<body class=""><main><p>Returning to the merchant…</p>
<form id="m3ds-post" name="autoPost" method="post" action="http://127.0.0.1:9901/3ds/notify"><input type="hidden" name="cres" value="${cresEncoded}"><input type="hidden" name="threeDSSessionData" value="order-42">
<noscript><p>JavaScript is off: press Continue.</p></noscript>
<input type="submit" value="Continue"></form>
</main><script nonce="…">document.getElementById('m3ds-post').submit();</script></body></html>`;
export const methodData = b64url({ threeDSServerTransID: TRANS_ID, threeDSMethodNotificationURL: 'http://127.0.0.1:9901/3ds/method' });
export const cresJwe =
  'eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2Iiwia2lkIjoiNGY0YzNhMmUtNmYwYi00ZDFjLTlhNTctMmE4YzBjMWY5ZTMxIn0..JYbTyDDH0BtWSfcVDu_lxQ.FScIauMD51jJ-gOii-VXzi2kWmey8Q7rhUdZwNvLHhs.vKOnTyoJV6ZUYxOHliZg7w';
export const appErro = {
  messageType: 'Erro',
  messageVersion: '2.2.0',
  errorCode: '302',
  errorComponent: 'A',
  errorDescription: 'Data decryption failure',
  errorDetail: 'not a compact JWE (5 parts expected)',
  errorMessageType: 'CReq',
};
export const sdkErro = {
  messageType: 'Erro',
  messageVersion: '2.2.0',
  threeDSServerTransID: TRANS_ID,
  acsTransID: ACS_TRANS_ID,
  sdkTransID: SDK_TRANS_ID,
  errorCode: '203',
  errorComponent: 'C',
  errorDescription: 'Format or value of one or more data elements is invalid',
  errorDetail: 'acsUiType',
  errorMessageType: 'CRes',
};

// ------------------------------------------------------------------ the Netcetera-shaped API
export const versioningRequest = { cardholderAccountNumber: '4000400040004001', schemeId: null };
const netceteraRange = {
  schemeId: 'Visa',
  directoryServerId: 'A000000003',
  acsStartProtocolVersion: '2.1.0',
  acsEndProtocolVersion: '2.3.1',
  dsStartProtocolVersion: '2.1.0',
  dsEndProtocolVersion: '2.3.1',
  acsInfoInd: ['01', '02'],
  acsProtocolVersions: ['2.1.0', '2.2.0', '2.3.1'].map((version) => ({ version, acsInfoInd: ['01', '02'] })),
  dsProtocolVersions: ['2.1.0', '2.2.0', '2.3.1'],
  highestCommonSupportedVersion: '2.3.1',
};
export const versioningResponse = { threeDSServerTransID: TRANS_ID, isCardFoundIn2xRanges: true, cardRanges: [netceteraRange] };
export const versioningResponseMethod = {
  threeDSServerTransID: TRANS_ID,
  isCardFoundIn2xRanges: true,
  cardRanges: [
    {
      ...netceteraRange,
      acsProtocolVersions: netceteraRange.acsProtocolVersions.map((v) => ({
        ...v,
        threeDSMethodURL: `${BASE}/processor/mock/acs/3ds-method`,
      })),
      threeDSMethodDataForm: {
        threeDSMethodData: b64url({ threeDSServerTransID: TRANS_ID, threeDSMethodNotificationURL: `${BASE}/3ds/3ds-method-notification` }),
      },
    },
  ],
};
export const authenticationRequest = sample('netcetera-authentication-browser.json');
const netceteraEcho = areqEcho('4000400040004001', {
  messageVersion: '2.3.1',
  threeDSRequestorChallengeInd: ['01'],
  notificationURL: 'http://127.0.0.1:9901/payments/return',
});
const { authenticationType: _type, ...aresChallenge231 } = aresChallenge;
export const authenticationChallenge = {
  threeDSServerTransID: TRANS_ID,
  transStatus: 'C',
  acsChallengeMandated: 'Y',
  authenticationRequest: netceteraEcho,
  authenticationResponse: { ...aresChallenge231, messageVersion: '2.3.1', authenticationMethod: ['02'] },
  base64EncodedChallengeRequest: b64url({ ...creq, messageVersion: '2.3.1' }),
};
export const authenticationFrictionless = {
  threeDSServerTransID: TRANS_ID,
  transStatus: 'Y',
  authenticationValue: AUTH_VALUE,
  eci: '05',
  acsChallengeMandated: 'N',
  authenticationRequest: { ...netceteraEcho, acctNumber: '4000400040004000' },
  authenticationResponse: { ...aresFrictionless, messageVersion: '2.3.1' },
};
const cres231 = { ...finalCres, messageVersion: '2.3.1' };
export const challengeResponseRequest = { base64EncodedCRes: b64url(cres231) };
export const challengeResponseResponse = { threeDSServerTransID: TRANS_ID, base64EncodedCRes: b64url(cres231), challengeResponse: cres231 };

// ------------------------------------------------------------------ operations
export const health = { status: 'healthy', timestamp: '2026-12-02T10:31:53.601Z', service: 'mock-3ds-server' };
export const live = { status: 'live', pid: 12346, uptimeSeconds: 3600 };
export const ready = { status: 'ready', checks: { store: 'up', draining: false, workers: { alive: 2, expected: 2 } } };
export const notReady = { status: 'not ready', checks: { store: 'down', draining: false, workers: { alive: 2, expected: 2 } } };
export const metrics = `# HELP http_requests_total HTTP requests by method, route template and status code.
# TYPE http_requests_total counter
http_requests_total{method="POST",route="/3ds/version",status_code="200"} 1
`;
export const reloaded = { status: 'reloaded', changed: ['logging.level'], restarted: false };

// ------------------------------------------------------------------ errors
/** The SPEC §8 envelope the server answers for this error. */
export function envelope(kind: ErrorName, detail?: string, ids: ErrorIds = {}, extra: AppError['extra'] = {}): Json {
  return errorEnvelope(new AppError(kind, detail, ids, extra)) as unknown as Json;
}

/** The `{errorDetails}` the Netcetera-shaped routes answer for this error. */
export function netcetera(kind: ErrorName, detail?: string, ids: ErrorIds = {}, extra: AppError['extra'] = {}): Json {
  return netceteraErrorBody(new AppError(kind, detail, ids, extra)) as unknown as Json;
}

/** Card 4012: the Directory Server's Erro, relayed with HTTP 502. */
export const dsErrorDetails = {
  messageType: 'Erro',
  messageVersion: '2.2.0',
  errorCode: '405',
  errorComponent: 'D',
  errorDescription: 'System failure at the Directory Server',
  errorDetail: 'the Directory Server answered Erro 405 (component D)',
  errorMessageType: 'AReq',
  threeDSServerTransID: TRANS_ID,
  dsTransID: DS_TRANS_ID,
};
export const dsError = {
  error: 'Directory Server error: the Directory Server answered Erro 405 (component D)',
  errorDetails: dsErrorDetails,
};
export const netceteraDsError = {
  errorDetails: {
    threeDSServerTransID: TRANS_ID,
    dsTransID: DS_TRANS_ID,
    errorCode: '405',
    errorComponent: 'D',
    errorDescription: 'System failure at the Directory Server',
    errorDetail: 'the Directory Server answered Erro 405 (component D)',
    errorMessageType: 'AReq',
  },
};

// ------------------------------------------------------------------ the admin API (/__admin)
const summary = {
  threeDSServerTransID: TRANS_ID,
  createdAt: '2026-12-02T10:31:48.120Z',
  updatedAt: '2026-12-02T10:31:52.410Z',
  status: 'Y',
  stage: 'final',
  flow: 'browser',
  api: 'mock',
  last4: '4001',
  maskedPan: '400040******4001',
  scheme: 'visa',
  messageVersion: '2.2.0',
  scenario: '4001',
};
export const adminList = { items: [summary], next: null };
export const adminDetail = {
  summary,
  record: {
    threeDSServerTransID: TRANS_ID,
    version: 4,
    stage: 'final',
    final: true,
    createdAt: '2026-12-02T10:31:48.120Z',
    updatedAt: '2026-12-02T10:31:52.410Z',
    maskedPan: '400040******4001',
    scheme: 'visa',
    scenario: '4001',
    authentication: { flow: 'browser', messageVersion: '2.2.0', acsTransID: ACS_TRANS_ID, dsTransID: DS_TRANS_ID, transStatus: 'C' },
    challenge: {
      ui: 'text',
      status: 'done',
      failures: 1,
      maxAttempts: 3,
      completion: 'emv',
      outcome: { transStatus: 'Y', cresStatus: 'Y' },
    },
    results: { transStatus: 'Y', source: 'acs', recordedAt: '2026-12-02T10:31:52.400Z' },
  },
  trail: [
    { at: 1796207508120, time: '2026-12-02T10:31:48.120Z', kind: 'AReq', message: { messageType: 'AReq', acctNumber: '400040******4001' } },
    { at: 1796207508124, time: '2026-12-02T10:31:48.124Z', kind: 'ARes', message: { messageType: 'ARes', transStatus: 'C' } },
    { at: 1796207512400, time: '2026-12-02T10:31:52.400Z', kind: 'RReq', message: { messageType: 'RReq', transStatus: 'Y' } },
  ],
  trailDropped: 0,
};
const override = {
  key: '4000',
  scenario: { name: 'challenge-otp', transStatus: 'C', challenge: 'text' },
  setBy: 'qa-alice',
  setAt: '2026-12-02T10:40:00.000Z',
};
export const overrideList = { version: 3, overrides: [override] };
export const overrideRequest = { scenario: { transStatus: 'C', challenge: 'text' } };
export const overrideRequestCopy = { scenario: '4001' };
export const overrideSet = { ...override, version: 3 };
export const overrideRemoved = { removed: override, version: 4 };
export const overridesCleared = { removed: 1, version: 5 };
export const adminReset = {
  overridesRemoved: 1,
  transactionsForgotten: 12,
  trailsRemoved: 12,
  kept: ['transaction records', 'rate-limit counters', 'configuration'],
};

// ------------------------------------------------------------------ the QA console (/console, SPEC §17)
export const consoleScenarios = {
  scenarios: [
    { key: '4000', name: 'frictionless', cardNumber: '4000400040004000', scenario: { name: 'frictionless', transStatus: 'Y' } },
    {
      key: '4001',
      name: 'challenge-otp',
      cardNumber: '4000400040004001',
      scenario: { name: 'challenge-otp', transStatus: 'C', challenge: 'text' },
    },
    { key: 'default', name: 'default', cardNumber: '4000400040009999', scenario: { name: 'default', transStatus: 'Y' } },
  ],
};
export const appFlowRequest = { cardNumber: '4000400040004001', answer: '1234', messageVersion: '2.2.0', enc: 'A128CBC-HS256' };
export const appFlowResult = {
  threeDSServerTransID: TRANS_ID,
  transStatus: 'C',
  challengeStatus: 'Y',
  steps: [
    { kind: 'version', time: '2026-12-02T10:31:48.100Z', message: { threeDSServerTransID: TRANS_ID, cardRanges: [] } },
    { kind: 'ARes', time: '2026-12-02T10:31:48.120Z', message: { messageType: 'ARes', transStatus: 'C', acsTransID: ACS_TRANS_ID } },
    { kind: 'CReq', time: '2026-12-02T10:31:48.130Z', message: { messageType: 'CReq', sdkCounterStoA: '000' } },
    { kind: 'CRes', time: '2026-12-02T10:31:48.140Z', message: { messageType: 'CRes', acsUiType: '01', challengeCompletionInd: 'N' } },
    {
      kind: 'CReq',
      time: '2026-12-02T10:31:48.150Z',
      message: { messageType: 'CReq', sdkCounterStoA: '001', challengeDataEntry: '(entered)' },
    },
    { kind: 'CRes', time: '2026-12-02T10:31:48.160Z', message: { messageType: 'CRes', transStatus: 'Y', challengeCompletionInd: 'Y' } },
    { kind: 'final', time: '2026-12-02T10:31:48.170Z', message: { threeDSServerTransID: TRANS_ID, transStatus: 'Y', eci: '05' } },
  ],
  final: { threeDSServerTransID: TRANS_ID, transStatus: 'Y', eci: '05' },
};
