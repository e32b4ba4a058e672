// Builds the authenticate answer in the existing mock's envelope (SPEC §3.2): the ARes, the CReq and
// its base64url form for challenges, and the echo of the AReq as sent on to the DS. The echo holds the
// PAN only in acctNumber (full or masked per protocol.echoFullPan).
//
// An answer is rendered from two things: the AReq, and the facts decided once when it was first
// answered (IDs, outcome, the base URL, acsSignedContent). The record keeps only those facts, not the
// answer (issue 10: the echo alone is ~1.7 KB, the base64 CReq repeats the CReq): a replay happens only
// for a request whose canonical hash equals the stored one, i.e. the same AReq, so rendering the stored
// facts with the retry's AReq gives the first answer again, byte for byte, through the same code.

import type { BrokenResponse } from '../../../config/index.js';
import { maskPan } from '../../../logger.js';
import { authenticationValue, eciFor, hasAuthValue } from '../../rules/auth-value.js';
import { breakARes } from '../../rules/broken-responses.js';
import { renderingType, shapeAReq, shapeARes } from '../../rules/message-shapes.js';
import type { Decision } from '../../rules/scenarios.js';
import { methodOfType } from '../../rules/version-values.js';
import type { UiSpec } from '../../transaction/challenge-machine.js';
import type { AuthState, PageEcho, StoredAnswer } from '../../transaction/record.js';
import { emvDateTime, toBase64Url } from '../../wire/encoding.js';
import type { ARes, AuthenticateResponse, CReq } from '../../wire/messages.js';
import { PATHS } from '../../wire/paths.js';
import type { ParsedAReq } from './areq.js';

interface AnswerInput {
  areq: ParsedAReq;
  decision: Decision;
  ui?: UiSpec;
  scheme: string;
  messageVersion: string;
  acsTransID: string;
  dsTransID: string;
  baseUrl: string;
  secret: string;
  now: number;
  acsSignedContent?: string;
}

/** Everything an answer holds that the AReq does not: decided once, then only rendered. */
interface AnswerFacts {
  messageVersion: string;
  acsTransID: string;
  dsTransID: string;
  transStatus: string;
  transStatusReason?: string;
  eci?: string;
  authenticationValue?: string;
  authenticationType?: string;
  /** The 2.3.1 spelling of authenticationType, from the same UI (absent in records written before it). */
  authenticationMethod?: string;
  acsReferenceNumber: string;
  acsOperatorID: string;
  /** The public base URL the answer's URLs are built from (acsURL, threeDSServerURL). */
  baseUrl: string;
  /** When the AReq was answered: purchaseDate when the AReq carries none. */
  answeredAt: number;
  /** App challenges: the UI template and the ACS's signed content (randomised signature: stored as is). */
  acsUiType?: string;
  acsSignedContent?: string;
  /** A broken-response test card's break (rules/broken-responses.ts). */
  broken?: BrokenResponse;
}

interface Answer {
  /** What the client gets (acctNumber full: the caller masks it when configured). */
  response: AuthenticateResponse;
  facts: AnswerFacts;
}

const DS_REFERENCE = 'MOCK_DS';
const SERVER_REF = '3DS_LOA_SER_MOCK_020200_00001';
const SERVER_OPERATOR = 'MOCK_3DS_SERVER';
/** What a decoupled ARes tells the cardholder (cardholderInfo is required with acsDecConInd Y). */
const DECOUPLED_INFO = 'Approve this purchase in your banking app. You can close this page.';

/** The echo's fields later steps read from the record: the ACS page shows the merchant and the amount. */
const PAGE_FIELDS = ['merchantName', 'purchaseAmount', 'purchaseCurrency', 'purchaseExponent'] as const;

/** Decides the facts of a first answer and renders it. */
export function buildAnswer(i: AnswerInput): Answer {
  const { areq, decision, ui } = i;
  const st = decision.transStatus;
  const challenge = st === 'C';
  const eci = eciFor(i.scheme, st);
  const av = hasAuthValue(st)
    ? authenticationValue({ secret: i.secret, transactionId: areq.threeDSServerTransID, scheme: i.scheme, challenged: false })
    : undefined;
  const authenticationType = challenge ? ui?.authenticationType : st === 'D' ? '04' : undefined;
  const authenticationMethod = challenge ? ui?.authenticationMethod : st === 'D' ? '12' : undefined;
  const app = areq.flow === 'app' && challenge;
  const facts: AnswerFacts = {
    messageVersion: i.messageVersion,
    acsTransID: i.acsTransID,
    dsTransID: i.dsTransID,
    transStatus: st,
    ...(decision.transStatusReason !== undefined && { transStatusReason: decision.transStatusReason }),
    ...(eci !== undefined && { eci }),
    ...(av !== undefined && { authenticationValue: av }),
    ...(authenticationType !== undefined && { authenticationType }),
    ...(authenticationMethod !== undefined && { authenticationMethod }),
    acsReferenceNumber: decision.acsReferenceNumber,
    acsOperatorID: decision.acsOperatorID,
    baseUrl: i.baseUrl,
    answeredAt: i.now,
    ...(app && ui && { acsUiType: ui.acsUiType }),
    ...(app && i.acsSignedContent !== undefined && { acsSignedContent: i.acsSignedContent }),
    ...(decision.broken !== undefined && { broken: decision.broken }),
  };
  return { response: renderAnswer(areq, facts), facts };
}

/** The answer to `areq` with `facts`: the first answer and every replay of it are made here. */
export function renderAnswer(areq: ParsedAReq, f: AnswerFacts): AuthenticateResponse {
  const id = areq.threeDSServerTransID;
  const st = f.transStatus;
  const challenge = st === 'C';
  const app = areq.flow === 'app';
  // Test card no-acs-url: the challenge goes out without it (SPEC §4).
  const acsURL = challenge && areq.flow === 'browser' && f.broken !== 'no-acs-url' ? `${f.baseUrl}${PATHS.acsChallenge}` : undefined;
  const eci = f.eci;
  const av = f.authenticationValue;

  // Built once for every version, then shaped for the negotiated one (message-shapes.ts); a broken
  // card's break comes after the shaping.
  const ares: ARes = breakARes(
    shapeARes({
      messageType: 'ARes',
      messageVersion: f.messageVersion,
      threeDSServerTransID: id,
      acsTransID: f.acsTransID,
      dsTransID: f.dsTransID,
      ...(areq.sdk && { sdkTransID: areq.sdk.sdkTransID }),
      transStatus: st,
      ...(f.transStatusReason !== undefined && { transStatusReason: f.transStatusReason }),
      acsChallengeMandated: challenge ? 'Y' : 'N',
      ...(f.authenticationType !== undefined && { authenticationType: f.authenticationType }),
      ...(f.authenticationMethod !== undefined && { authenticationMethod: f.authenticationMethod }),
      ...(av !== undefined && { authenticationValue: av }),
      ...(eci !== undefined && { eci }),
      acsReferenceNumber: f.acsReferenceNumber,
      acsOperatorID: f.acsOperatorID,
      dsReferenceNumber: DS_REFERENCE,
      ...(acsURL !== undefined && { acsURL }),
      ...(st === 'D' && { acsDecConInd: 'Y' as const, cardholderInfo: DECOUPLED_INFO }),
      ...(app && challenge && f.acsSignedContent !== undefined && { acsSignedContent: f.acsSignedContent }),
      ...(app && challenge && f.acsUiType !== undefined && { acsRenderingType: renderingType('app', f.acsUiType) }),
      ...(app && { deviceInfoRecognisedVersion: '1.3' }),
      ...(areq.messageExtension && { messageExtension: areq.messageExtension }),
    }),
    f.broken,
  );

  const creq: CReq | undefined = challenge
    ? {
        messageType: 'CReq',
        messageVersion: f.messageVersion,
        threeDSServerTransID: id,
        acsTransID: f.acsTransID,
        ...(areq.sdk ? { sdkTransID: areq.sdk.sdkTransID } : { challengeWindowSize: areq.challengeWindowSize ?? '05' }),
      }
    : undefined;

  const authenticationRequest: Record<string, unknown> = {
    ...shapeAReq(areq.echo, f.messageVersion),
    messageType: 'AReq',
    messageVersion: f.messageVersion,
    threeDSServerTransID: id,
    threeDSServerRefNumber: SERVER_REF,
    threeDSServerOperatorID: SERVER_OPERATOR,
    threeDSServerURL: `${f.baseUrl}${PATHS.results}`,
    acctNumber: areq.pan,
  };

  return {
    threeDSServerTransID: id,
    transStatus: st,
    acsChallengeMandated: ares.acsChallengeMandated,
    purchaseDate: areq.purchaseDate ?? emvDateTime(f.answeredAt),
    authenticationRequest,
    authenticationResponse: ares,
    ...(creq && { challengeRequest: creq, base64EncodedChallengeRequest: toBase64Url(JSON.stringify(creq)) }),
    ...(acsURL !== undefined && { acsURL }),
    ...(eci !== undefined && { eci }),
    ...(av !== undefined && { authenticationValue: av }),
  };
}

/**
 * What the record keeps of an answer beyond the facts AuthState holds anyway (IDs, outcome, the time):
 * a few dozen bytes, plus acsSignedContent for app challenges.
 */
export function storedAnswer(f: AnswerFacts, areq: ParsedAReq): StoredAnswer {
  const page: PageEcho = {};
  for (const k of PAGE_FIELDS) if (typeof areq.echo[k] === 'string') page[k] = areq.echo[k] as string;
  return {
    baseUrl: f.baseUrl,
    ...(f.authenticationType !== undefined && { authenticationType: f.authenticationType }),
    // Only when the type does not imply it (the select UIs' KBA): the shaper derives the usual ones.
    ...(f.authenticationMethod !== undefined &&
      f.authenticationMethod !== methodOfType(f.authenticationType ?? '') && { authenticationMethod: f.authenticationMethod }),
    ...(f.acsUiType !== undefined && { acsUiType: f.acsUiType }),
    ...(f.acsSignedContent !== undefined && { acsSignedContent: f.acsSignedContent }),
    authenticationRequest: page,
  };
}

/** The facts of a stored answer: the AuthState it sits in and its own fields. */
export function storedFacts(a: AuthState, s: StoredAnswer): AnswerFacts {
  const method = s.authenticationMethod ?? (s.authenticationType === undefined ? undefined : methodOfType(s.authenticationType));
  return {
    messageVersion: a.messageVersion,
    acsTransID: a.acsTransID,
    dsTransID: a.dsTransID,
    transStatus: a.transStatus,
    ...(a.transStatusReason !== undefined && { transStatusReason: a.transStatusReason }),
    ...(a.eci !== undefined && { eci: a.eci }),
    ...(a.authenticationValue !== undefined && { authenticationValue: a.authenticationValue }),
    ...(s.authenticationType !== undefined && { authenticationType: s.authenticationType }),
    ...(method !== undefined && { authenticationMethod: method }),
    acsReferenceNumber: a.acsReferenceNumber,
    acsOperatorID: a.acsOperatorID,
    baseUrl: s.baseUrl,
    answeredAt: a.authenticatedAt,
    ...(s.acsUiType !== undefined && { acsUiType: s.acsUiType }),
    ...(s.acsSignedContent !== undefined && { acsSignedContent: s.acsSignedContent }),
    ...(a.broken !== undefined && { broken: a.broken }),
  };
}

/** The response with acctNumber set per configuration (full PAN) or masked. */
export function withAcctNumber(r: AuthenticateResponse, pan: string, full: boolean): AuthenticateResponse {
  const shown = full ? pan : maskPan(pan);
  if (r.authenticationRequest.acctNumber === shown) return r;
  return { ...r, authenticationRequest: { ...r.authenticationRequest, acctNumber: shown } };
}
