// Each message shaped for the messageVersion it states (SPEC §15). Builders make a message once and
// version-neutral: the value the situation calls for, and both spellings where versions differ
// (authenticationType and authenticationMethod, cardholderInfo as text, the challenge indicator as a
// list). The shapers below turn that into what a 2.1.0, 2.2.0 or 2.3.1 message holds — values mapped
// through version-values.ts, elements a version lacks left out, the 2.3.1 shapes (arrays, objects, the
// elements 2.3.1 requires) put in — so no other file decides anything per version. Copies are shaped,
// inputs never changed; keys keep their place, so a replay of the same input is byte-identical.

import { shown } from '../wire/fields.js';
import type { AcsRenderingType, ARes, ResultsRequest } from '../wire/messages.js';
import { atLeast, DEFAULT_REASON, mapValue, methodOfType, needsReason, type Profile, profileOf, typeOfMethod } from './version-values.js';

/** deviceUserInterfaceMode 01, portrait: the layout every challenge UI of the mock has. */
const PORTRAIT = '01';
/** cardholderInfo is at most 128 characters in every version. */
const MAX_INFO = 128;

/**
 * acsRenderingType of a challenge UI: the HTML templates (05 HTML, 06 HTML OOB) exist only with the HTML
 * interface 02 (Annex A Table A.14: with 01 a DS answers Erro 203); browsers are always HTML.
 */
export function renderingType(flow: string, acsUiType: string): AcsRenderingType {
  const html = flow !== 'app' || acsUiType === '05' || acsUiType === '06';
  return { acsInterface: html ? '02' : '01', acsUiTemplate: acsUiType };
}

function shapeRendering(r: AcsRenderingType, version: string): AcsRenderingType {
  const acsUiTemplate = mapValue('acsUiType', r.acsUiTemplate, version);
  const acsInterface = acsUiTemplate === '05' || acsUiTemplate === '06' ? '02' : r.acsInterface;
  if (!atLeast(version, '2.3.1')) return { acsInterface, acsUiTemplate };
  return { acsInterface, acsUiTemplate, deviceUserInterfaceMode: r.deviceUserInterfaceMode ?? PORTRAIT };
}

/** The reason a status carries in `version`: N, U, R always one (a default when none was given), others none. */
export function reasonFor(transStatus: string, reason: string | undefined, version: string): string | undefined {
  if (!needsReason(transStatus)) return undefined;
  return mapValue('transStatusReason', reason ?? (DEFAULT_REASON[transStatus] as string), version);
}

/** Sets or deletes `key` on `o` (exactOptionalPropertyTypes: an optional key is absent, never undefined). */
function put<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete o[key];
  else o[key] = value;
}

/**
 * authenticationType (2.1.0, 2.2.0) or authenticationMethod as an array (2.3.1) on `m`, from whichever
 * it holds; both are removed when `wanted` is false (the message's status does not call for them).
 */
function placeAuthentication(
  m: { authenticationType?: string; authenticationMethod?: string | string[] },
  version: string,
  wanted: boolean,
) {
  const methods =
    m.authenticationMethod === undefined ? [] : Array.isArray(m.authenticationMethod) ? m.authenticationMethod : [m.authenticationMethod];
  const type = m.authenticationType ?? (methods[0] === undefined ? undefined : typeOfMethod(methods[0]));
  if (!wanted) {
    delete m.authenticationType;
    delete m.authenticationMethod;
  } else if (atLeast(version, '2.3.1')) {
    const method = methods.length > 0 ? methods : type === undefined ? undefined : [methodOfType(type)].filter((x) => x !== undefined);
    // An EMV array holds no duplicates (Annex A.16).
    put(m, 'authenticationMethod', method !== undefined && method.length > 0 ? [...new Set(method)] : undefined);
    delete m.authenticationType;
  } else {
    put(m, 'authenticationType', type === undefined ? undefined : mapValue('authenticationType', type, version));
    delete m.authenticationMethod;
  }
}

function cardholderInfoFor(info: string | { text: string }, version: string): string | { text: string } {
  const text = (typeof info === 'string' ? info : info.text).slice(0, MAX_INFO);
  return atLeast(version, '2.3.1') ? { text } : text;
}

/**
 * The ARes as its messageVersion defines it: statuses and reasons that exist in it; authenticationType
 * (2.1.0, 2.2.0) or authenticationMethod (2.3.1) for C and D only; acsRenderingType with
 * deviceUserInterfaceMode in 2.3.1; cardholderInfo as text or `{text}`; for apps
 * deviceInfoRecognisedVersion and threeDSRequestorAppURLInd, both 2.3.1 elements.
 */
export function shapeARes(a: ARes): ARes {
  const v = a.messageVersion;
  const m: ARes = { ...a, transStatus: mapValue('transStatus', a.transStatus, v) };
  const st = m.transStatus;
  const app = m.sdkTransID !== undefined;
  put(m, 'transStatusReason', reasonFor(st, a.transStatusReason, v));
  placeAuthentication(m, v, st === 'C' || st === 'D');
  put(m, 'acsRenderingType', a.acsRenderingType && st === 'C' ? shapeRendering(a.acsRenderingType, v) : undefined);
  put(m, 'acsDecConInd', st === 'D' ? 'Y' : undefined);
  put(m, 'cardholderInfo', a.cardholderInfo === undefined ? undefined : cardholderInfoFor(a.cardholderInfo, v));
  put(m, 'deviceInfoRecognisedVersion', app && atLeast(v, '2.3.1') ? a.deviceInfoRecognisedVersion : undefined);
  put(m, 'threeDSRequestorAppURLInd', app && atLeast(v, '2.3.1') ? (a.threeDSRequestorAppURLInd ?? 'N') : undefined);
  return m;
}

/**
 * The RReq of a transaction of `flow` as its messageVersion defines it: status, reason (always one for
 * N, U, R, a cancelled challenge included) and challengeCancel mapped; authenticationType or
 * authenticationMethod for Y and N only; acsRenderingType (an app element) shaped as in the ARes;
 * interactionCounter for app and browser, sdkTransID for apps only.
 */
export function shapeRReq(rq: ResultsRequest, flow: string): ResultsRequest {
  const v = rq.messageVersion;
  const m: ResultsRequest = { ...rq, transStatus: mapValue('transStatus', rq.transStatus, v) };
  put(m, 'transStatusReason', reasonFor(m.transStatus, rq.transStatusReason, v));
  placeAuthentication(m, v, m.transStatus === 'Y' || m.transStatus === 'N');
  put(m, 'challengeCancel', rq.challengeCancel === undefined ? undefined : mapValue('challengeCancel', rq.challengeCancel, v));
  put(m, 'acsRenderingType', flow === 'app' && rq.acsRenderingType ? shapeRendering(rq.acsRenderingType, v) : undefined);
  if (flow === '3ri') delete m.interactionCounter;
  if (flow !== 'app') delete m.sdkTransID;
  return m;
}

/**
 * An app CRes as its messageVersion defines it: acsUiType mapped, and in the final CRes only where
 * 2.2.0 requires it in every CRes (2.1.0 and 2.3.1 require it in all but the final one); the text UI's
 * entry box is challengeEntryBox in 2.3.1 (where the text template has no challengeInfoLabel) and
 * challengeInfoLabel before.
 */
export function shapeCRes<T extends Record<string, unknown>>(c: T & { messageVersion: string }): T {
  const v = c.messageVersion;
  const m: Record<string, unknown> = { ...c };
  if (typeof m.acsUiType === 'string') m.acsUiType = mapValue('acsUiType', m.acsUiType, v);
  if (m.challengeCompletionInd === 'Y' && profileOf(v) !== '2.2.0') delete m.acsUiType;
  if (!atLeast(v, '2.3.1')) delete m.challengeEntryBox;
  else if (m.acsUiType === '01') delete m.challengeInfoLabel;
  else delete m.challengeEntryBox;
  return m as T;
}

// AReq elements a version does not define, by the version that brought them (the 3DS Server leaves
// them out of an older version's AReq).
const AREQ_SINCE: Readonly<Record<string, Profile>> = {
  threeDSRequestorDecReqInd: '2.2.0',
  threeDSRequestorDecMaxTime: '2.2.0',
  browserJavascriptEnabled: '2.2.0',
  broadInfo: '2.2.0',
  acceptLanguage: '2.3.1',
  acquirerCountryCode: '2.3.1',
  acquirerCountryCodeSource: '2.3.1',
  appIp: '2.3.1',
  threeDSMethodId: '2.3.1',
  sdkType: '2.3.1',
  defaultSdkType: '2.3.1',
  splitSdkType: '2.3.1',
  recurringInd: '2.3.1',
  transChar: '2.3.1',
};

// Elements of one device channel only (Annex A Device Channel column): an AReq of another channel leaves
// them out (a strict DS answers 203 for an element present where its inclusion does not apply).
const APP_ONLY = [
  'deviceRenderOptions',
  'sdkAppID',
  'sdkEncData',
  'sdkEphemPubKey',
  'sdkMaxTimeout',
  'sdkReferenceNumber',
  'sdkTransID',
  'appIp',
  'sdkType',
  'defaultSdkType',
  'splitSdkType',
];
const BROWSER_ONLY = [
  'threeDSCompInd',
  'threeDSMethodId',
  'notificationURL',
  'acceptLanguage',
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
];

/**
 * The AReq as forwarded to the DS, spelled for its messageVersion and device channel: elements the
 * version or the channel lacks left out; threeDSRequestorChallengeInd an array in 2.3.1 and one string before, its values mapped;
 * threeDSRequestorDecReqInd B/F mapped for 2.2.0; the requestor authentication information an array of
 * objects in 2.3.1 and one object before.
 */
export function shapeAReq(areq: Readonly<Record<string, unknown>>, version: string): Record<string, unknown> {
  const left = leftOut(version, areq.deviceChannel);
  const v231 = atLeast(version, '2.3.1');
  // One pass that copies what stays (deleting keys from a copy would leave a slow dictionary object
  // on the authenticate path).
  const m: Record<string, unknown> = {};
  for (const key of Object.keys(areq)) {
    if (left.has(key)) continue;
    const value = areq[key];
    switch (key) {
      case 'threeDSRequestorChallengeInd': {
        const list = [
          ...new Set((Array.isArray(value) ? value : [value]).map((x) => mapValue('threeDSRequestorChallengeInd', shown(x), version))),
        ];
        if (list.length > 0) m[key] = v231 ? list : list[0];
        break;
      }
      case 'threeDSRequestorDecReqInd':
        m[key] = typeof value === 'string' ? mapValue('threeDSRequestorDecReqInd', value, version) : value;
        break;
      case 'deviceRenderOptions':
        m[key] = v231 ? value : withKnownUiTypes(value, version);
        break;
      case 'threeDSRequestorAuthenticationInfo':
      case 'threeDSRequestorPriorAuthenticationInfo':
        if (v231) m[key] = Array.isArray(value) ? value : [value];
        else if (!Array.isArray(value)) m[key] = value;
        else if (value.length > 0) m[key] = value[0];
        break;
      default:
        m[key] = value;
    }
  }
  return m;
}

const leftOutCache = new Map<string, ReadonlySet<string>>();

/** The AReq elements a version and a device channel do not have, computed once per pair. */
function leftOut(version: string, channel: unknown): ReadonlySet<string> {
  const p = profileOf(version);
  const id = `${p}|${typeof channel === 'string' ? channel.slice(0, 2) : ''}`;
  let set = leftOutCache.get(id);
  if (set === undefined) {
    const keys = Object.entries(AREQ_SINCE)
      .filter(([, since]) => !atLeast(p, since))
      .map(([key]) => key);
    if (channel !== '01') keys.push(...APP_ONLY);
    if (channel !== '02') keys.push(...BROWSER_ONLY);
    set = new Set(keys);
    if (leftOutCache.size < 16) leftOutCache.set(id, set);
  }
  return set;
}

/** deviceRenderOptions listing only the UI types the version has (06 and 07 are 2.3.1's). */
function withKnownUiTypes(render: unknown, version: string): unknown {
  if (!render || typeof render !== 'object' || Array.isArray(render)) return render;
  const types = (render as { sdkUiType?: unknown }).sdkUiType;
  if (!Array.isArray(types)) return render;
  const known = types.filter((t) => typeof t === 'string' && mapValue('acsUiType', t, version) === t);
  return known.length === types.length ? render : { ...render, sdkUiType: known };
}
