// The results messages of a transaction (SPEC §3.3): the RReq the ACS records itself when a challenge or
// decoupled authentication ends (with the ECI and authentication value of its outcome), and the RRes that
// acknowledges recorded results, whoever posted them. Both leave here shaped for their messageVersion
// (SPEC §15, rules/message-shapes.ts).
import type { ProtocolCore } from '../core.js';
import { authenticationValue, eciFor, hasAuthValue } from '../rules/auth-value.js';
import { renderingType, shapeRReq } from '../rules/message-shapes.js';
import type { ResultsRequest, ResultsResponse } from '../wire/messages.js';
import { type ChallengeOutcome, uiSpec } from './challenge-machine.js';
import type { TransactionRecord } from './record.js';

/**
 * The RRes that acknowledges the results recorded on `rec` (the client's or the ACS's own), in the RReq's
 * messageVersion (the transaction's unless a client's RReq stated another).
 */
export function resultsResponse(rec: TransactionRecord, messageVersion?: string): ResultsResponse {
  const a = rec.auth;
  return {
    messageType: 'RRes',
    messageVersion: messageVersion ?? a?.messageVersion ?? '2.2.0',
    threeDSServerTransID: rec.threeDSServerTransID,
    acsTransID: a?.acsTransID ?? '',
    dsTransID: a?.dsTransID ?? '',
    ...(rec.app?.sdkTransID && { sdkTransID: rec.app.sdkTransID }),
    resultsStatus: '01',
  };
}

/** 26: authentication attempted but not performed by the cardholder (2.1.0 gets 01, version-values.ts). */
const CANCELLED_REASON = '26';

function baseRReq(rec: TransactionRecord, transStatus: string): ResultsRequest {
  const a = rec.auth as NonNullable<TransactionRecord['auth']>;
  return {
    messageType: 'RReq',
    messageVersion: a.messageVersion,
    messageCategory: a.messageCategory,
    threeDSServerTransID: rec.threeDSServerTransID,
    acsTransID: a.acsTransID,
    dsTransID: a.dsTransID,
    ...(rec.app?.sdkTransID && { sdkTransID: rec.app.sdkTransID }),
    transStatus,
  };
}

function withAuthValue(core: ProtocolCore, rec: TransactionRecord, rq: ResultsRequest): ResultsRequest {
  const eci = eciFor(rec.scheme, rq.transStatus);
  if (eci !== undefined) rq.eci = eci;
  if (hasAuthValue(rq.transStatus)) {
    rq.authenticationValue = authenticationValue({
      secret: core.config().protocol.authValueSecret,
      transactionId: rec.threeDSServerTransID,
      scheme: rec.scheme,
      challenged: true,
    });
  }
  return rq;
}

/** The ACS's own RReq at the end of a challenge. */
export function challengeRReq(core: ProtocolCore, rec: TransactionRecord, outcome: ChallengeOutcome): ResultsRequest {
  const ch = rec.challenge;
  const ui = uiSpec(ch?.ui ?? 'text');
  const rq = withAuthValue(core, rec, baseRReq(rec, outcome.transStatus));
  if (outcome.transStatusReason) rq.transStatusReason = outcome.transStatusReason;
  // A cancelled challenge (U) still says why: the cardholder did not complete the authentication.
  else if (outcome.challengeCancel) rq.transStatusReason = CANCELLED_REASON;
  if (outcome.challengeCancel) rq.challengeCancel = outcome.challengeCancel;
  rq.authenticationType = ui.authenticationType;
  rq.authenticationMethod = ui.authenticationMethod;
  rq.interactionCounter = String(Math.min(99, ch?.interactions ?? 0)).padStart(2, '0');
  rq.acsRenderingType = renderingType(rec.auth?.flow ?? 'browser', ui.acsUiType);
  return shapeRReq(rq, rec.auth?.flow ?? 'browser');
}

/** The ACS's own RReq when a decoupled authentication completes: Y. */
export function decoupledRReq(core: ProtocolCore, rec: TransactionRecord): ResultsRequest {
  const rq = withAuthValue(core, rec, baseRReq(rec, 'Y'));
  rq.authenticationType = '04';
  rq.authenticationMethod = '12';
  rq.interactionCounter = '00';
  return shapeRReq(rq, rec.auth?.flow ?? 'browser');
}
