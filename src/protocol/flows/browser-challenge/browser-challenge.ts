// The ACS browser challenge (SPEC §5), framework-free: opening the challenge from a CReq, applying the
// cardholder's actions through the shared state machine, and completing either the EMV way (results
// recorded, then a page auto-POSTs the CRes to notificationURL) or the existing mock's way (results
// recorded, then 302 to an allowed redirectUrl). Returns view models; src/http/views renders them.
import { AppError } from '../../../errors.js';
import type { Versioned } from '../../../store/store.js';
import type { ProtocolCore, RequestContext } from '../../core.js';
import { configTables } from '../../rules/config-tables.js';
import {
  applyAction,
  attemptsLeft,
  type ChallengeAction,
  type ChallengeOutcome,
  type ChallengeState,
  MAX_RESENDS,
  type UiSpec,
  uiSpec,
} from '../../transaction/challenge-machine.js';
import { loadVersioned, transition, withResults } from '../../transaction/lifecycle.js';
import type { TransactionRecord } from '../../transaction/record.js';
import { challengeRReq } from '../../transaction/results-messages.js';
import { traceAcsEnd } from '../../transaction/trail-notes.js';
import { toBase64Url } from '../../wire/encoding.js';
import { type FieldContext, invalid, transactionId } from '../../wire/fields.js';
import type { CRes } from '../../wire/messages.js';
import { PATHS } from '../../wire/paths.js';
import { parseCReq } from './creq.js';

export interface ChallengeView {
  threeDSServerTransID: string;
  acsTransID: string;
  ui: UiSpec;
  attemptsLeft: number;
  resendsLeft: number;
  notice?: ChallengeState['notice'];
  windowSize: string;
  /** Milliseconds until the challenge times out. */
  remainingMs: number;
  /** Where every form of the page posts. */
  submitUrl: string;
  /** Origins the page's forms may reach (CSP form-action), including a redirect target. */
  formOrigins: string[];
  merchantName?: string;
  amount?: string;
  maskedPan?: string;
}

export type AcsResult =
  | { type: 'challenge'; view: ChallengeView }
  | { type: 'post'; action: string; fields: Record<string, string> }
  | { type: 'redirect'; location: string }
  /** Test card acs-no-answer (SPEC §4): hold the request unanswered, at most `maxMs`, then drop the connection. */
  | { type: 'no-answer'; maxMs: number };

export interface OpenInput {
  creq?: unknown;
  threeDSSessionData?: unknown;
  redirectUrl?: unknown;
}

export interface SubmitInput {
  threeDSServerTransID: unknown;
  action?: unknown;
  /** The code (otp / challengeDataEntry) or the chosen option key(s). */
  value?: string | string[];
  redirectUrl?: unknown;
}

const ACTIONS = new Set(['submit', 'cancel', 'resend', 'oob-continue']);

export async function openBrowserChallenge(core: ProtocolCore, input: OpenInput, ctx: RequestContext): Promise<AcsResult> {
  const creq = parseCReq(input.creq);
  const ids = { threeDSServerTransID: creq.threeDSServerTransID };
  const fctx: FieldContext = { ids, messageType: 'CReq' };
  const session = input.threeDSSessionData;
  if (session !== undefined && session !== null && (typeof session !== 'string' || session.length > 2048)) {
    throw invalid(fctx, 'threeDSSessionData', 'must be a string of at most 2048 characters');
  }
  const read = await challengeRecord(core, creq.threeDSServerTransID);
  const rec = read.value;
  const a = rec.auth as NonNullable<TransactionRecord['auth']>;
  if (a.broken === 'acs-no-answer') return noAnswer(core);
  if (creq.acsTransID !== undefined && creq.acsTransID !== a.acsTransID) {
    throw new AppError(
      'TRANSACTION_DATA_INVALID',
      'acsTransID: does not match the transaction',
      { ...ids, acsTransID: creq.acsTransID },
      { errorMessageType: 'CReq' },
    );
  }
  core.trail?.add(rec.threeDSServerTransID, 'CReq', creq, undefined, typeof session === 'string' ? 'with threeDSSessionData' : undefined);
  const redirectUrl = checkedRedirect(core, rec, input.redirectUrl);
  const ch = rec.challenge as ChallengeState;
  if (ch.status === 'done' || rec.results) return completion(rec, redirectUrl);

  const completionMode: ChallengeState['completion'] = creq.encoding === 'json' || redirectUrl !== undefined ? 'redirect' : 'emv';
  const wanted: Partial<ChallengeState> = {
    completion: completionMode,
    ...(redirectUrl !== undefined && { redirectUrl }),
    ...(typeof session === 'string' && session !== '' && { threeDSSessionData: session }),
    ...(creq.challengeWindowSize !== undefined && { challengeWindowSize: creq.challengeWindowSize }),
  };
  const differs = (Object.keys(wanted) as (keyof ChallengeState)[]).some((k) => ch[k] !== wanted[k]);
  let current = rec;
  if (differs) {
    const r = await transition(
      core,
      rec.threeDSServerTransID,
      (cur) =>
        cur.challenge && cur.challenge.status === 'open'
          ? { ...cur, updatedAt: core.now(), challenge: { ...cur.challenge, ...wanted } }
          : undefined,
      read,
    );
    if (r) current = r.record;
  }
  const cur = current.challenge as ChallengeState;
  if (cur.status === 'done' || current.results) return completion(current, redirectUrl);
  return { type: 'challenge', view: view(core, current, ctx) };
}

export async function submitBrowserChallenge(core: ProtocolCore, input: SubmitInput, ctx: RequestContext): Promise<AcsResult> {
  const fctx: FieldContext = { ids: {}, messageType: 'CReq' };
  const id = transactionId(fctx, input.threeDSServerTransID);
  const kind = input.action === undefined || input.action === '' ? 'submit' : input.action;
  if (typeof kind !== 'string' || !ACTIONS.has(kind)) throw invalid(fctx, 'action', 'must be submit, cancel, resend or oob-continue');
  const read = await challengeRecord(core, id);
  const rec = read.value;
  if (rec.auth?.broken === 'acs-no-answer') return noAnswer(core);
  const redirectUrl = checkedRedirect(core, rec, input.redirectUrl);
  if ((rec.challenge as ChallengeState).status === 'done' || rec.results) return completion(rec, redirectUrl);

  const action: ChallengeAction = kind === 'submit' ? { kind: 'submit', value: input.value ?? '' } : ({ kind } as ChallengeAction);
  const otp = core.config().protocol.otp;
  const r = await transition(
    core,
    id,
    (cur) => {
      if (!cur.challenge || cur.challenge.status === 'done' || cur.results) return undefined;
      const now = core.now();
      const step = applyAction(cur.challenge, action, { now, otp });
      const next: TransactionRecord = { ...cur, updatedAt: now, challenge: step.state };
      if (!step.done) return next;
      return withResults(next, challengeRReq(core, next, step.state.outcome as ChallengeOutcome), now, 'acs');
    },
    read,
  );
  if (!r) throw notFound(id);
  const after = r.record;
  if (r.changed) core.trail?.add(id, 'challenge', { action: kind, result: stepResult(after.challenge as ChallengeState) });
  if ((after.challenge as ChallengeState).status === 'done' || after.results)
    return traceAcsEnd(core, id, completion(after, redirectUrl), r.changed);
  return { type: 'challenge', view: view(core, after, ctx) };
}

/** The ACS of test card acs-no-answer: silent on every post of its challenge, for a bounded time. */
function noAnswer(core: ProtocolCore): AcsResult {
  return { type: 'no-answer', maxMs: core.config().protocol.hangMaxMs };
}

/** A cardholder step as the trail shows it (SPEC §17); the code typed is never kept. */
function stepResult(ch: ChallengeState): Record<string, unknown> {
  return { status: ch.status, failures: ch.failures, resends: ch.resends, ...(ch.notice && { notice: ch.notice }) };
}

function notFound(id: string): AppError {
  return new AppError(
    'TRANSACTION_NOT_FOUND',
    'threeDSServerTransID: unknown or expired transaction',
    { threeDSServerTransID: id },
    { errorMessageType: 'CReq' },
  );
}

async function challengeRecord(core: ProtocolCore, id: string): Promise<Versioned<TransactionRecord>> {
  const read = await loadVersioned(core, id);
  if (!read) throw notFound(id);
  const rec = read.value;
  if (!rec.auth || !rec.challenge) {
    throw new AppError(
      'TRANSACTION_DATA_INVALID',
      'threeDSServerTransID: this transaction has no challenge',
      { threeDSServerTransID: id },
      { errorMessageType: 'CReq' },
    );
  }
  if (rec.auth.flow !== 'browser') {
    throw new AppError(
      'TRANSACTION_DATA_INVALID',
      `threeDSServerTransID: app challenges go to ${PATHS.appChallenge}`,
      { threeDSServerTransID: id },
      { errorMessageType: 'CReq' },
    );
  }
  return read;
}

/** A redirectUrl is honoured only with the notificationURL's origin or a configured one: no open redirect. */
function checkedRedirect(core: ProtocolCore, rec: TransactionRecord, raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const ids = { threeDSServerTransID: rec.threeDSServerTransID };
  let u: URL | undefined;
  try {
    if (typeof raw === 'string' && raw.length <= 2048) u = new URL(raw);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:'))
    throw new AppError('REDIRECT_NOT_ALLOWED', 'redirectUrl: must be an absolute http(s) URL', ids);
  const own = rec.auth?.notificationURL ? new URL(rec.auth.notificationURL).origin : undefined;
  if (u.origin !== own && !configTables(core.config()).redirectOrigins.has(u.origin)) {
    throw new AppError('REDIRECT_NOT_ALLOWED', `redirectUrl: origin ${u.origin} is neither the notificationURL's nor configured`, ids);
  }
  return u.href;
}

function outcomeOf(rec: TransactionRecord): ChallengeOutcome {
  const ch = rec.challenge;
  if (ch?.outcome) return ch.outcome;
  // Results posted by a client closed the challenge: the CRes follows them.
  const st = rec.results?.request.transStatus ?? 'N';
  return { transStatus: st === 'Y' ? 'Y' : st === 'U' ? 'U' : 'N', cresStatus: st === 'Y' ? 'Y' : 'N' };
}

function completion(rec: TransactionRecord, redirectOverride: string | undefined): AcsResult {
  const a = rec.auth as NonNullable<TransactionRecord['auth']>;
  const ch = rec.challenge as ChallengeState;
  const outcome = outcomeOf(rec);
  const mode = redirectOverride !== undefined ? 'redirect' : (ch.completion ?? 'redirect');
  if (mode === 'emv' && a.notificationURL) {
    const cres: CRes = {
      threeDSServerTransID: rec.threeDSServerTransID,
      acsTransID: a.acsTransID,
      messageType: 'CRes',
      messageVersion: ch.messageVersion ?? a.messageVersion,
      transStatus: outcome.cresStatus,
      challengeCompletionInd: 'Y',
    };
    const fields: Record<string, string> = { cres: toBase64Url(JSON.stringify(cres)) };
    if (ch.threeDSSessionData !== undefined) fields.threeDSSessionData = ch.threeDSSessionData;
    return { type: 'post', action: a.notificationURL, fields };
  }
  const target = redirectOverride ?? ch.redirectUrl ?? a.notificationURL;
  if (!target)
    throw new AppError('TRANSACTION_DATA_INVALID', 'no redirectUrl and no notificationURL to complete the challenge', {
      threeDSServerTransID: rec.threeDSServerTransID,
    });
  const rq = rec.results?.request;
  const u = new URL(target);
  u.searchParams.set('transStatus', rq?.transStatus ?? outcome.transStatus);
  u.searchParams.set('threeDSServerTransID', rec.threeDSServerTransID);
  if (rq?.eci !== undefined) u.searchParams.set('eci', rq.eci);
  if (rq?.authenticationValue !== undefined) u.searchParams.set('authenticationValue', rq.authenticationValue);
  return { type: 'redirect', location: u.href };
}

const CURRENCIES: Record<string, string> = {
  '756': 'CHF',
  '978': 'EUR',
  '840': 'USD',
  '826': 'GBP',
  '392': 'JPY',
  '036': 'AUD',
  '124': 'CAD',
};

function amountOf(echo: Record<string, unknown>): string | undefined {
  const amount = echo.purchaseAmount;
  if (typeof amount !== 'string' || !/^[0-9]+$/.test(amount)) return undefined;
  const exp = typeof echo.purchaseExponent === 'string' ? Number(echo.purchaseExponent) : 2;
  const padded = amount.padStart(exp + 1, '0');
  const value = exp > 0 ? `${padded.slice(0, -exp)}.${padded.slice(-exp)}` : padded;
  const cur = typeof echo.purchaseCurrency === 'string' ? (CURRENCIES[echo.purchaseCurrency] ?? echo.purchaseCurrency) : '';
  return `${value} ${cur}`.trim();
}

function view(core: ProtocolCore, rec: TransactionRecord, ctx: RequestContext): ChallengeView {
  const a = rec.auth as NonNullable<TransactionRecord['auth']>;
  const ch = rec.challenge as ChallengeState;
  const ui = uiSpec(ch.ui);
  const formOrigins = [new URL(ctx.baseUrl).origin];
  if (ch.completion !== 'emv') {
    const target = ch.redirectUrl ?? a.notificationURL;
    if (target) formOrigins.push(new URL(target).origin);
  }
  const echo = a.response?.authenticationRequest ?? {};
  const merchantName = typeof echo.merchantName === 'string' ? echo.merchantName : undefined;
  const amount = amountOf(echo);
  return {
    threeDSServerTransID: rec.threeDSServerTransID,
    acsTransID: a.acsTransID,
    ui,
    attemptsLeft: attemptsLeft(ch),
    resendsLeft: ui.resendable ? Math.max(0, MAX_RESENDS - ch.resends) : 0,
    ...(ch.notice !== undefined && { notice: ch.notice }),
    windowSize: ch.challengeWindowSize ?? a.challengeWindowSize ?? '05',
    remainingMs: Math.max(0, ch.deadline - core.now()),
    submitUrl: `${ctx.baseUrl}${PATHS.acsSubmit}`,
    formOrigins: [...new Set(formOrigins)],
    ...(merchantName !== undefined && { merchantName }),
    ...(amount !== undefined && { amount }),
    ...(rec.maskedPan !== undefined && { maskedPan: rec.maskedPan }),
  };
}
