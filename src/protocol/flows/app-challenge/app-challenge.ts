// POST /challenge (SPEC §6): the ACS endpoint of app challenges. A compact JWE in; its header names the
// transaction (kid = acsTransID, found through the store's index) and the encryption. The session key is
// ECDH between the ACS ephemeral key and the SDK key, then the EMV Concat KDF (PartyVInfo: the AReq's
// sdkReferenceNumber, else the configured default per enc); it is derived once, on the first CReq, and
// kept in record.app with the enc, which saves the ~160 µs ECDH on every later CReq. The CReq drives
// the shared challenge state machine; the step, both counters and (at the end) the results are one
// compare-and-set write, made before the encrypted CRes leaves. Protocol errors come back as EMV Erro
// messages (the SDK reads JSON as an error), never as the API's error envelope.
import type { CryptoService } from '../../../crypto/crypto-service.js';
import type { ContentEnc, EcPrivateJwk } from '../../../crypto/crypto-types.js';
import { isContentEnc, readJweHeader } from '../../../crypto/jwe.js';
import { AppError, type ErroMessage, type ErrorIds, erroMessage } from '../../../errors.js';
import { StoreConflictError, type Versioned } from '../../../store/store.js';
import type { ProtocolCore } from '../../core.js';
import {
  applyAction,
  type ChallengeOutcome,
  type ChallengeState,
  isExpired,
  type StepResult,
  timedOut,
  uiSpec,
} from '../../transaction/challenge-machine.js';
import { afterResults, transition, withResults } from '../../transaction/lifecycle.js';
import type { AppFlowState, TransactionRecord } from '../../transaction/record.js';
import { challengeRReq } from '../../transaction/results-messages.js';
import { withheldEntry } from '../../transaction/trail-notes.js';
import { isUuid } from '../../wire/encoding.js';
import { isMessageVersion, shown } from '../../wire/fields.js';
import { type AppCReq, effectiveAction, parseAppCReq } from './app-creq.js';
import { type AppCRes, type CResHead, challengeCRes, finalCRes } from './app-cres.js';
import { cryptoAppError } from './app-prepare.js';

/**
 * What /challenge answers: an encrypted CRes, an Erro message, nothing (the SDK reported an error), or
 * never (test card acs-no-answer, SPEC §4: the request is held at most `maxMs`, then the connection dropped).
 */
export type AppChallengeReply =
  | { type: 'cres'; jwe: string }
  | { type: 'erro'; erro: ErroMessage }
  | { type: 'ack' }
  | { type: 'no-answer'; maxMs: number };

/** What is known about the request so far, for the Erro of a refusal. */
interface Known {
  ids: ErrorIds;
  messageVersion?: string;
}

type Verdict = 'ok' | 'done' | 'timeout' | 'counter' | 'gone';

/** The outcome the state machine gives a challenge that ran out of time (reason 14). */
const isTimeoutOutcome = (o: ChallengeOutcome | undefined): boolean => o?.transStatusReason === '14';

/**
 * Handles one POST /challenge. `body` is what the body reader made of it: a string for a JWE
 * (application/jose), an object for JSON (an Erro the SDK sends). Client errors become Erro replies;
 * store and pool failures are thrown (503 from the error handler).
 */
export async function appChallengeCall(core: ProtocolCore, crypto: CryptoService | undefined, body: unknown): Promise<AppChallengeReply> {
  const known: Known = { ids: {} };
  try {
    if (body && typeof body === 'object' && !Array.isArray(body)) return await sdkErro(core, body as Record<string, unknown>, known);
    if (typeof body !== 'string' || body.trim() === '') {
      throw new AppError(
        'MESSAGE_NOT_RECOGNISED',
        'body: expected a CReq as a compact JWE (application/jose)',
        {},
        { errorMessageType: 'CReq' },
      );
    }
    return await creqCall(core, crypto, body.trim(), known);
  } catch (err) {
    if (err instanceof AppError && err.spec.status < 500) {
      const erro = appErro(err, known);
      const id = known.ids.threeDSServerTransID;
      if (id !== undefined) core.trail?.add(id, 'Erro', erro, undefined, 'answered to the 3DS SDK');
      return { type: 'erro', erro };
    }
    throw err;
  }
}

/** An Erro from the ACS: component A, the IDs known so far, the transaction's (or CReq's) version. */
function appErro(err: AppError, known: Known): ErroMessage {
  const m = erroMessage(err, known.messageVersion ?? '2.2.0');
  m.errorComponent = 'A';
  if (!m.errorMessageType) m.errorMessageType = 'CReq';
  for (const k of ['threeDSServerTransID', 'acsTransID', 'sdkTransID'] as const) {
    const v = known.ids[k];
    if (v && !m[k]) m[k] = v;
  }
  return m;
}

function refuse(
  kind: 'TRANSACTION_NOT_FOUND' | 'DECRYPTION_FAILURE' | 'TRANSACTION_DATA_INVALID' | 'TRANSACTION_TIMED_OUT',
  detail: string,
  known: Known,
): AppError {
  return new AppError(kind, detail, known.ids, {
    errorMessageType: 'CReq',
    ...(known.messageVersion && { messageVersion: known.messageVersion }),
  });
}

function sdkReference(core: ProtocolCore, app: AppFlowState, enc: ContentEnc): string {
  if (app.sdkReferenceNumber) return app.sdkReferenceNumber;
  const d = core.config().protocol.sdkReferenceDefaults;
  return enc === 'A128GCM' ? d.gcm : d.cbc;
}

async function creqCall(core: ProtocolCore, crypto: CryptoService | undefined, jwe: string, known: Known): Promise<AppChallengeReply> {
  const header = (() => {
    try {
      return readJweHeader(jwe);
    } catch (err) {
      throw cryptoAppError(err, known.ids, { errorMessageType: 'CReq' });
    }
  })();
  if (header.alg !== 'dir') throw refuse('DECRYPTION_FAILURE', `JWE alg must be dir, got ${shown(header.alg)}`, known);
  const enc = header.enc;
  if (!isContentEnc(enc)) throw refuse('DECRYPTION_FAILURE', `JWE enc must be A128CBC-HS256 or A128GCM, got ${shown(enc)}`, known);
  const kid = header.kid;
  if (!kid) throw refuse('TRANSACTION_NOT_FOUND', 'kid: the JWE header must name the acsTransID', known);
  if (!isUuid(kid)) throw refuse('TRANSACTION_NOT_FOUND', 'kid: not an acsTransID (UUID expected)', known);
  known.ids.acsTransID = kid;

  const found = await core.store.getByAcsTransID(kid);
  if (!found) throw refuse('TRANSACTION_NOT_FOUND', 'kid: no transaction with this acsTransID (unknown or expired)', known);
  const rec = found.value;
  const app = rec.app;
  const id = rec.threeDSServerTransID;
  known.ids.threeDSServerTransID = id;
  if (app?.sdkTransID) known.ids.sdkTransID = app.sdkTransID;
  if (rec.auth?.messageVersion) known.messageVersion = rec.auth.messageVersion;
  if (rec.auth?.broken === 'acs-no-answer') return { type: 'no-answer', maxMs: core.config().protocol.hangMaxMs };
  if (!crypto || rec.auth?.flow !== 'app' || !rec.challenge || !app?.acsEphemPrivKey || !app.sdkEphemPubKey) {
    throw refuse('TRANSACTION_DATA_INVALID', 'kid: this transaction has no app challenge', known);
  }
  if (app.enc !== undefined && app.enc !== enc)
    throw refuse('DECRYPTION_FAILURE', `JWE enc ${enc} differs from the ${shown(app.enc)} this challenge uses`, known);

  const cached = typeof app.sessionKey === 'string' ? Buffer.from(app.sessionKey, 'base64url') : undefined;
  let creq: AppCReq;
  let key: Uint8Array;
  try {
    key =
      cached ??
      (await crypto.deriveSessionKey(app.acsEphemPrivKey as unknown as EcPrivateJwk, app.sdkEphemPubKey, sdkReference(core, app, enc)));
    const { payload } = await crypto.decryptCReq(jwe, key, enc);
    creq = parseAppCReq(payload, { ...known.ids });
    core.trail?.add(id, 'CReq', withheldEntry(payload));
  } catch (err) {
    throw cryptoAppError(err, known.ids, {
      errorMessageType: 'CReq',
      ...(known.messageVersion && { messageVersion: known.messageVersion }),
    });
  }
  known.messageVersion = creq.messageVersion;
  if (creq.acsTransID !== kid) throw refuse('TRANSACTION_DATA_INVALID', 'acsTransID: differs from the JWE kid', known);
  if (creq.threeDSServerTransID !== id)
    throw refuse('TRANSACTION_DATA_INVALID', 'threeDSServerTransID: does not match the transaction', known);
  if (creq.sdkTransID !== app.sdkTransID) throw refuse('TRANSACTION_DATA_INVALID', 'sdkTransID: does not match the transaction', known);

  const otp = core.config().protocol.otp;
  const newKey = cached ? undefined : Buffer.from(key).toString('base64url');
  // Set by the step (which a lost compare-and-set may run again); `as` keeps TypeScript from narrowing.
  let verdict = 'gone' as Verdict;
  let expected = 0;
  let cres = undefined as AppCRes | undefined;
  const step = (cur: TransactionRecord): TransactionRecord | undefined => {
    cres = undefined;
    const a = cur.app;
    const ch = cur.challenge;
    if (!a || !ch || !cur.auth) {
      verdict = 'gone';
      return undefined;
    }
    if (cur.results || ch.status === 'done') {
      verdict = isTimeoutOutcome(ch.outcome) ? 'timeout' : 'done';
      return undefined;
    }
    expected = a.sdkCounterStoA ?? 0;
    if (creq.counter !== expected) {
      verdict = 'counter';
      return undefined;
    }
    const now = core.now();
    if (isExpired(ch, now)) {
      verdict = 'timeout';
      const late = { ...cur, updatedAt: now, challenge: timedOut(ch).state };
      return withResults(late, challengeRReq(core, late, late.challenge.outcome as ChallengeOutcome), now, 'acs');
    }
    const action = effectiveAction(creq, ch.ui, expected === 0);
    let result: StepResult = action ? applyAction(ch, action, { now, otp }) : { state: ch, done: false };
    if (result.done && creq.cancelCode && result.state.outcome?.challengeCancel) {
      // The SDK says why it cancelled (01 cardholder, 04/08 timeouts, 06 error); the RReq keeps it.
      result = { ...result, state: { ...result.state, outcome: { ...result.state.outcome, challengeCancel: creq.cancelCode } } };
    }
    const counterAtoS = a.acsCounterAtoS ?? 0;
    const nextApp: AppFlowState = {
      ...a,
      sdkCounterStoA: expected + 1,
      acsCounterAtoS: counterAtoS + 1,
      enc,
      ...(newKey && { sessionKey: newKey }),
    };
    const next: TransactionRecord = { ...cur, updatedAt: now, challenge: result.state, app: nextApp };
    const h: CResHead = {
      threeDSServerTransID: cur.threeDSServerTransID,
      acsTransID: kid,
      sdkTransID: a.sdkTransID,
      messageVersion: creq.messageVersion,
      acsCounterAtoS: counterAtoS,
    };
    verdict = 'ok';
    if (!result.done) {
      cres = challengeCRes(h, result.state);
      return next;
    }
    const outcome = result.state.outcome as ChallengeOutcome;
    const completed = withResults(next, challengeRReq(core, next, outcome), now, 'acs');
    if (completed) cres = finalCRes(h, outcome.cresStatus, uiSpec(result.state.ui).acsUiType);
    else verdict = 'done';
    return completed;
  };

  const stored = await applyStep(core, found, step);
  if (!stored) throw refuse('TRANSACTION_NOT_FOUND', 'kid: the transaction expired', known);
  switch (verdict) {
    case 'counter':
      throw refuse(
        'DECRYPTION_FAILURE',
        `sdkCounterStoA: expected ${String(expected).padStart(3, '0')}, got ${shown(creq.counter).padStart(3, '0')}`,
        known,
      );
    case 'timeout':
      throw refuse('TRANSACTION_TIMED_OUT', 'the challenge was not completed in time', known);
    case 'done':
      throw refuse('TRANSACTION_DATA_INVALID', 'the challenge is already completed', known);
    case 'gone':
      throw refuse('TRANSACTION_DATA_INVALID', 'kid: this transaction has no app challenge', known);
    case 'ok':
      break;
  }
  core.trail?.add(id, 'CRes', cres);
  try {
    return { type: 'cres', jwe: await crypto.encryptCRes(cres as AppCRes, key, enc, kid) };
  } catch (err) {
    throw cryptoAppError(err, known.ids, { errorMessageType: 'CReq' });
  }
}

/**
 * transition() that starts from the record already read through the index: the common case (no race)
 * is one compare-and-set on that version instead of another read first; a lost race falls back to
 * transition's read-modify-write loop.
 */
async function applyStep(
  core: ProtocolCore,
  first: Versioned<TransactionRecord>,
  fn: (cur: TransactionRecord) => TransactionRecord | undefined,
): Promise<TransactionRecord | null> {
  const id = first.value.threeDSServerTransID;
  const next = fn(first.value);
  if (next === undefined) return first.value;
  try {
    const stored = await core.store.update(id, first.version, next);
    if (!first.value.results && stored.value.results) afterResults(core, stored.value);
    return stored.value;
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
  }
  const r = await transition(core, id, fn);
  return r ? r.record : null;
}

/**
 * An Erro the SDK posts (plain JSON, EMV): the challenge ends and results U are recorded
 * (challengeCancel 06, transaction error), so /3ds/final and the results push report it.
 */
async function sdkErro(core: ProtocolCore, body: Record<string, unknown>, known: Known): Promise<AppChallengeReply> {
  if (body.messageType !== 'Erro') {
    throw new AppError(
      'MESSAGE_NOT_RECOGNISED',
      'messageType: a JSON body must be an Erro message; CReqs are sent encrypted (application/jose)',
      {},
      {
        errorMessageType: typeof body.messageType === 'string' ? body.messageType.slice(0, 10) : '',
      },
    );
  }
  const { acsTransID, threeDSServerTransID, sdkTransID } = body;
  if (isUuid(acsTransID)) known.ids.acsTransID = acsTransID;
  if (isUuid(threeDSServerTransID)) known.ids.threeDSServerTransID = threeDSServerTransID;
  if (isMessageVersion(body.messageVersion)) known.messageVersion = body.messageVersion;
  const found =
    (isUuid(acsTransID) ? await core.store.getByAcsTransID(acsTransID) : null) ??
    (isUuid(threeDSServerTransID) ? await core.store.get(threeDSServerTransID) : null);
  if (!found) throw refuse('TRANSACTION_NOT_FOUND', 'acsTransID: no transaction with this acsTransID (unknown or expired)', known);
  const rec = found.value;
  if (rec.auth?.flow !== 'app' || !rec.challenge)
    throw refuse('TRANSACTION_DATA_INVALID', 'acsTransID: this transaction has no app challenge', known);
  if (sdkTransID !== undefined && sdkTransID !== rec.app?.sdkTransID)
    throw refuse('TRANSACTION_DATA_INVALID', 'sdkTransID: does not match the transaction', known);

  core.trail?.add(rec.threeDSServerTransID, 'Erro', body, undefined, 'sent by the 3DS SDK');
  core.logger.info('the 3DS SDK reported an error; the challenge ends U', {
    threeDSServerTransID: rec.threeDSServerTransID,
    errorCode: typeof body.errorCode === 'string' ? body.errorCode.slice(0, 3) : undefined,
    errorComponent: typeof body.errorComponent === 'string' ? body.errorComponent.slice(0, 1) : undefined,
  });
  const outcome: ChallengeOutcome = { transStatus: 'U', cresStatus: 'N', challengeCancel: '06' };
  await applyStep(core, found, (cur) => {
    if (!cur.challenge || cur.challenge.status === 'done' || cur.results) return undefined;
    const now = core.now();
    const state: ChallengeState = { ...cur.challenge, status: 'done', outcome, notice: undefined };
    const next: TransactionRecord = { ...cur, updatedAt: now, challenge: state };
    return withResults(next, challengeRReq(core, next, outcome), now, 'acs');
  });
  return { type: 'ack' };
}
