// The decrypted CReq of an app challenge (SPEC §6; EMV 3DS CReq elements for the app channel): what it
// must carry (201 when missing, 203 when malformed) and which cardholder action it asks for. Unknown keys
// are ignored: real SDKs send extra ones (messageExtension, whitelistingDataEntry, threeDSRequestorAppURL).
import { atLeast } from '../../rules/version-values.js';
import type { ChallengeAction, UiKind } from '../../transaction/challenge-machine.js';
import { checkMessageType, type FieldContext, invalid, isMessageVersion, missing, uuid } from '../../wire/fields.js';

export interface AppCReq {
  threeDSServerTransID: string;
  acsTransID: string;
  sdkTransID: string;
  messageVersion: string;
  /** sdkCounterStoA as a number (the CReq carries it as three digits). */
  counter: number;
  /** What the cardholder did; absent when the CReq only asks for the challenge UI. */
  action?: ChallengeAction;
  /** challengeCancel as sent (01 cardholder cancel, 04/08 timeouts, 06 error…): recorded in the RReq. */
  cancelCode?: string;
  /** challengeNoEntry "Y": the cardholder submitted an empty answer. */
  noEntry: boolean;
}

const COUNTER_RE = /^[0-9]{3}$/;
// EMV challengeCancel values an SDK sends (02 is reserved): 01, 03–07 before 2.3.1 (08 too, as 2.2-era
// SDKs send it), up to 10 in 2.3.1. The RReq maps them to the transaction's version.
const CANCEL_CODES = new Set(['01', '03', '04', '05', '06', '07', '08']);
const CANCEL_CODES_231 = new Set([...CANCEL_CODES, '09', '10']);
// EMV lengths: challengeDataEntry at most 45 characters, challengeHTMLDataEntry at most 256.
const MAX_DATA_ENTRY = 45;
const MAX_HTML_ENTRY = 256;

function str(ctx: FieldContext, o: Record<string, unknown>, name: string, max: number): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw invalid(ctx, name, 'must be a string');
  if (v.length > max) throw invalid(ctx, name, `must be at most ${max} characters`);
  return v;
}

function yesNo(ctx: FieldContext, o: Record<string, unknown>, name: string): boolean | undefined {
  const v = o[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (v === 'Y' || v === true) return true;
  if (v === 'N' || v === false) return false;
  throw invalid(ctx, name, 'must be Y or N');
}

/**
 * oobContinue: the JSON boolean true in 2.1.0/2.2.0, "01" (the cardholder pressed the button) or "02"
 * (the SDK completed automatically) in 2.3.1. Either spelling is read in any version, as SDKs mix them
 * (some send "Y" or "true").
 */
function oobFlag(ctx: FieldContext, v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 'N' || v === 'false') return false;
  if (v === true || v === 'Y' || v === 'true' || v === '01' || v === '02') return true;
  throw invalid(ctx, 'oobContinue', 'must be true (2.1.0, 2.2.0) or "01"/"02" (2.3.1)');
}

/**
 * What the issuer HTML page (acsUiType 05) submitted: the SDK passes the form body as
 * challengeHTMLDataEntry (application/x-www-form-urlencoded). Our page names the code "code" and its
 * buttons "action"; a bare value without "=" is taken as the code.
 */
function htmlEntryAction(entry: string): ChallengeAction {
  if (!entry.includes('=')) return { kind: 'submit', value: entry };
  const form = new URLSearchParams(entry);
  const action = form.get('action');
  if (action === 'cancel') return { kind: 'cancel' };
  if (action === 'resend') return { kind: 'resend' };
  return { kind: 'submit', value: form.get('code') ?? form.get('otp') ?? form.get('challengeDataEntry') ?? '' };
}

/** Validates a decrypted CReq. `ids` fill the Erro of a refusal. */
export function parseAppCReq(payload: Record<string, unknown>, ids: FieldContext['ids']): AppCReq {
  const ctx: FieldContext = { ids, messageType: 'CReq' };
  checkMessageType(ctx, payload.messageType, true);
  const version = payload.messageVersion;
  if (version === undefined || version === null || version === '') throw missing(ctx, 'messageVersion');
  if (!isMessageVersion(version)) throw invalid(ctx, 'messageVersion', 'must be a version such as 2.2.0');
  ctx.messageVersion = version;
  const threeDSServerTransID = uuid(ctx, payload.threeDSServerTransID, 'threeDSServerTransID');
  const acsTransID = uuid(ctx, payload.acsTransID, 'acsTransID');
  const sdkTransID = uuid(ctx, payload.sdkTransID, 'sdkTransID');
  const rawCounter = payload.sdkCounterStoA;
  if (rawCounter === undefined || rawCounter === null || rawCounter === '') throw missing(ctx, 'sdkCounterStoA');
  if (typeof rawCounter !== 'string' || !COUNTER_RE.test(rawCounter)) throw invalid(ctx, 'sdkCounterStoA', 'must be three digits');

  const cancel = str(ctx, payload, 'challengeCancel', 2);
  const cancels = atLeast(version, '2.3.1') ? CANCEL_CODES_231 : CANCEL_CODES;
  if (cancel !== undefined && !cancels.has(cancel.padStart(2, '0')))
    throw invalid(ctx, 'challengeCancel', `must be one of ${[...cancels].join(', ')}`);
  const resend = yesNo(ctx, payload, 'resendChallenge');
  const noEntry = yesNo(ctx, payload, 'challengeNoEntry') ?? false;
  const oob = oobFlag(ctx, payload.oobContinue);
  const html = str(ctx, payload, 'challengeHTMLDataEntry', MAX_HTML_ENTRY);
  const data = str(ctx, payload, 'challengeDataEntry', MAX_DATA_ENTRY);

  // One action per CReq; a cancel wins over anything sent with it, as the cardholder left.
  let action: ChallengeAction | undefined;
  if (cancel !== undefined) action = { kind: 'cancel' };
  else if (resend) action = { kind: 'resend' };
  else if (oob) action = { kind: 'oob-continue' };
  else if (html !== undefined) action = htmlEntryAction(html);
  else if (data !== undefined) action = { kind: 'submit', value: data };

  return {
    threeDSServerTransID,
    acsTransID,
    sdkTransID,
    messageVersion: version,
    counter: Number(rawCounter),
    ...(action && { action }),
    ...(cancel !== undefined && { cancelCode: cancel.padStart(2, '0') }),
    noEntry,
  };
}

/**
 * The action a CReq without data stands for. The first CReq (and any CReq that only asks for the UI)
 * shows the challenge; a later challengeNoEntry is an empty answer, which is a wrong one, except for
 * OOB where it only means "not approved yet".
 */
export function effectiveAction(creq: AppCReq, ui: UiKind, first: boolean): ChallengeAction | undefined {
  if (creq.action) return creq.action;
  if (creq.noEntry && !first && ui !== 'oob') return { kind: 'submit', value: '' };
  return undefined;
}
