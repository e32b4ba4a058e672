// Builds the authenticate answer in the existing mock's envelope (SPEC §3.2): the ARes, the CReq and
// its base64url form for challenges, and the echo of the AReq as sent on to the DS. The echo holds the
// PAN only in acctNumber (full or masked per protocol.echoFullPan); the stored copy is always masked.
import { maskPan } from '../logger.js';
import type { ParsedAReq } from './areq.js';
import { authenticationValue, eciFor, hasAuthValue } from './auth-value.js';
import type { UiSpec } from './challenge-machine.js';
import { emvDateTime, toBase64Url } from './encoding.js';
import type { ARes, AuthenticateResponse, CReq } from './messages.js';
import { PATHS } from './paths.js';
import type { Decision } from './scenarios.js';

export interface AnswerInput {
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

export interface Answer {
  /** What the client gets (acctNumber full: the caller masks it when configured). */
  response: AuthenticateResponse;
  eci?: string;
  authenticationValue?: string;
}

const DS_REFERENCE = 'MOCK_DS';
const SERVER_REF = '3DS_LOA_SER_MOCK_020200_00001';
const SERVER_OPERATOR = 'MOCK_3DS_SERVER';

export function buildAnswer(i: AnswerInput): Answer {
  const { areq, decision, ui } = i;
  const id = areq.threeDSServerTransID;
  const st = decision.transStatus;
  const challenge = st === 'C';
  const app = areq.flow === 'app';
  const eci = eciFor(i.scheme, st);
  const av = hasAuthValue(st) ? authenticationValue({ secret: i.secret, transactionId: id, scheme: i.scheme, challenged: false }) : undefined;
  const acsURL = challenge && areq.flow === 'browser' ? `${i.baseUrl}${PATHS.acsChallenge}` : undefined;
  const authenticationType = challenge ? ui?.authenticationType : st === 'D' ? '04' : undefined;

  const ares: ARes = {
    messageType: 'ARes',
    messageVersion: i.messageVersion,
    threeDSServerTransID: id,
    acsTransID: i.acsTransID,
    dsTransID: i.dsTransID,
    ...(areq.sdk && { sdkTransID: areq.sdk.sdkTransID }),
    transStatus: st,
    ...(decision.transStatusReason !== undefined && { transStatusReason: decision.transStatusReason }),
    acsChallengeMandated: challenge ? 'Y' : 'N',
    ...(authenticationType !== undefined && { authenticationType }),
    ...(av !== undefined && { authenticationValue: av }),
    ...(eci !== undefined && { eci }),
    acsReferenceNumber: decision.acsReferenceNumber,
    acsOperatorID: decision.acsOperatorID,
    dsReferenceNumber: DS_REFERENCE,
    ...(acsURL !== undefined && { acsURL }),
    ...(st === 'D' && { acsDecConInd: 'Y' as const }),
    ...(app && challenge && i.acsSignedContent !== undefined && { acsSignedContent: i.acsSignedContent }),
    ...(app && challenge && ui && { acsRenderingType: { acsInterface: '01', acsUiTemplate: ui.acsUiType } }),
    ...(app && { deviceInfoRecognisedVersion: '1.3' }),
  };

  const creq: CReq | undefined = challenge
    ? {
        messageType: 'CReq',
        messageVersion: i.messageVersion,
        threeDSServerTransID: id,
        acsTransID: i.acsTransID,
        ...(areq.sdk ? { sdkTransID: areq.sdk.sdkTransID } : { challengeWindowSize: areq.challengeWindowSize ?? '05' }),
      }
    : undefined;

  const authenticationRequest: Record<string, unknown> = {
    ...areq.echo,
    messageType: 'AReq',
    messageVersion: i.messageVersion,
    threeDSServerTransID: id,
    threeDSServerRefNumber: SERVER_REF,
    threeDSServerOperatorID: SERVER_OPERATOR,
    threeDSServerURL: `${i.baseUrl}${PATHS.results}`,
    acctNumber: areq.pan,
  };

  const response: AuthenticateResponse = {
    threeDSServerTransID: id,
    transStatus: st,
    acsChallengeMandated: ares.acsChallengeMandated,
    purchaseDate: areq.purchaseDate ?? emvDateTime(i.now),
    authenticationRequest,
    authenticationResponse: ares,
    ...(creq && { challengeRequest: creq, base64EncodedChallengeRequest: toBase64Url(JSON.stringify(creq)) }),
    ...(acsURL !== undefined && { acsURL }),
    ...(eci !== undefined && { eci }),
    ...(av !== undefined && { authenticationValue: av }),
  };
  return { response, ...(eci !== undefined && { eci }), ...(av !== undefined && { authenticationValue: av }) };
}

/** The response with acctNumber set per configuration (full PAN) or masked. */
export function withAcctNumber(r: AuthenticateResponse, pan: string, full: boolean): AuthenticateResponse {
  const shown = full ? pan : maskPan(pan);
  if (r.authenticationRequest.acctNumber === shown) return r;
  return { ...r, authenticationRequest: { ...r.authenticationRequest, acctNumber: shown } };
}
