// The challenge state machine (SPEC §4, §5, §6): which UI, what input succeeds, attempts, resend,
// cancel, timeout → final status. Pure functions over a JSON state kept in the transaction record, so
// the browser pages and the app challenge (CReq/CRes) drive the same rules and only render differently.

export type UiKind = 'text' | 'single-select' | 'multi-select' | 'oob' | 'html';

interface SelectOption {
  key: string;
  label: string;
}

/** What a UI shows and accepts; the texts are shared by the browser page and the app CRes. */
export interface UiSpec {
  kind: UiKind;
  /** EMV acsUiType / acsUiTemplate: 01 text, 02 single select, 03 multi select, 04 OOB, 05 HTML. */
  acsUiType: '01' | '02' | '03' | '04' | '05';
  header: string;
  info: string;
  label: string;
  submitLabel: string;
  options?: readonly SelectOption[];
  /** Whether the cardholder can ask for a new code. */
  resendable: boolean;
  /** EMV authenticationType / authenticationMethod recorded in the RReq. */
  authenticationType: string;
  authenticationMethod: string;
}

const SINGLE_OPTIONS: readonly SelectOption[] = Object.freeze([
  { key: '01', label: 'Mobile ending 1111' },
  { key: '02', label: 'Mobile ending 2222 (correct)' },
  { key: '03', label: 'Email a***@example.test' },
]);
const MULTI_OPTIONS: readonly SelectOption[] = Object.freeze([
  { key: '01', label: 'Blue (correct)' },
  { key: '02', label: 'Red' },
  { key: '03', label: 'Green (correct)' },
  { key: '04', label: 'Yellow' },
]);
/** The right answers of the select UIs (documented on the page itself: this is a test ACS). */
export const SINGLE_SELECT_ANSWER = '02';
export const MULTI_SELECT_ANSWER: readonly string[] = Object.freeze(['01', '03']);
export const MAX_RESENDS = 3;

const SPECS: Record<UiKind, UiSpec> = {
  text: {
    kind: 'text',
    acsUiType: '01',
    header: 'Purchase authentication',
    info: 'We sent a one-time code to your phone. Enter it to confirm the purchase.',
    label: 'One-time code',
    submitLabel: 'SUBMIT',
    resendable: true,
    authenticationType: '02',
    authenticationMethod: '02',
  },
  'single-select': {
    kind: 'single-select',
    acsUiType: '02',
    header: 'Where should we send your code?',
    info: 'Test ACS: choose the option marked (correct).',
    label: 'Choose one',
    submitLabel: 'SUBMIT',
    options: SINGLE_OPTIONS,
    resendable: false,
    authenticationType: '01',
    authenticationMethod: '06',
  },
  'multi-select': {
    kind: 'multi-select',
    acsUiType: '03',
    header: 'Security question',
    info: 'Which colours did you choose when you registered? Test ACS: tick both marked (correct).',
    label: 'Choose all that apply',
    submitLabel: 'SUBMIT',
    options: MULTI_OPTIONS,
    resendable: false,
    authenticationType: '01',
    authenticationMethod: '06',
  },
  oob: {
    kind: 'oob',
    acsUiType: '04',
    header: 'Approve in your banking app',
    info: 'We sent a request to your banking app. Approve it there, then continue here.',
    label: '',
    submitLabel: 'CONTINUE',
    resendable: false,
    authenticationType: '03',
    authenticationMethod: '09',
  },
  html: {
    kind: 'html',
    acsUiType: '05',
    header: 'Mock Issuer Bank – secure check',
    info: 'Your bank sent a one-time code by SMS. Enter it below.',
    label: 'SMS code',
    submitLabel: 'SUBMIT',
    resendable: true,
    authenticationType: '02',
    authenticationMethod: '02',
  },
};

export function uiSpec(kind: UiKind): UiSpec {
  return SPECS[kind];
}

export interface ChallengeState {
  ui: UiKind;
  status: 'open' | 'done';
  /** Wrong answers so far. */
  failures: number;
  maxAttempts: number;
  resends: number;
  /** Submissions of any kind (EMV interactionCounter). */
  interactions: number;
  openedAt: number;
  deadline: number;
  /** The last step's message to the cardholder (wrong code, code resent); undefined clears it. */
  notice?: 'wrong' | 'resent' | 'resend-limit' | undefined;
  outcome?: ChallengeOutcome;
  /** Browser completion: EMV (auto-POST of cres) or the existing mock's redirect. */
  completion?: 'emv' | 'redirect';
  redirectUrl?: string;
  threeDSSessionData?: string;
  challengeWindowSize?: string;
  messageVersion?: string;
}

export interface ChallengeOutcome {
  /** Status recorded in the results (RReq). */
  transStatus: 'Y' | 'N' | 'U';
  /** Status of the final CRes (a cancel records U but the CRes says N). */
  cresStatus: 'Y' | 'N';
  transStatusReason?: string;
  challengeCancel?: string;
}

export type ChallengeAction =
  | { kind: 'submit'; value: string | readonly string[] }
  | { kind: 'oob-continue' }
  | { kind: 'resend' }
  | { kind: 'cancel' };

export interface StepResult {
  state: ChallengeState;
  /** True when this step finished the challenge (state.outcome is set). */
  done: boolean;
}

export function openChallenge(ui: UiKind, opts: { now: number; maxAttempts: number; timeoutSeconds: number }): ChallengeState {
  return {
    ui,
    status: 'open',
    failures: 0,
    maxAttempts: opts.maxAttempts,
    resends: 0,
    interactions: 0,
    openedAt: opts.now,
    deadline: opts.now + opts.timeoutSeconds * 1000,
  };
}

export function attemptsLeft(s: ChallengeState): number {
  return Math.max(0, s.maxAttempts - s.failures);
}

export function isExpired(s: ChallengeState, now: number): boolean {
  return s.status === 'open' && now >= s.deadline;
}

/** The outcome of a challenge not completed in time: N, reason 14, challengeCancel 05. */
export function timedOut(s: ChallengeState): StepResult {
  const outcome: ChallengeOutcome = { transStatus: 'N', cresStatus: 'N', transStatusReason: '14', challengeCancel: '05' };
  return { state: { ...s, status: 'done', outcome, notice: undefined }, done: true };
}

function isRight(ui: UiKind, value: string | readonly string[], otp: string): boolean {
  const values = (typeof value === 'string' ? value.split(',') : [...value]).map((v) => v.trim()).filter(Boolean);
  switch (ui) {
    case 'text':
    case 'html':
      return typeof value === 'string' ? value.trim() === otp : values.length === 1 && values[0] === otp;
    case 'single-select':
      return values.length === 1 && values[0] === SINGLE_SELECT_ANSWER;
    case 'multi-select': {
      const got = new Set(values);
      return got.size === MULTI_SELECT_ANSWER.length && MULTI_SELECT_ANSWER.every((k) => got.has(k));
    }
    case 'oob':
      return true;
  }
}

/** Applies one cardholder action. A finished or expired challenge does not change (timeout wins). */
export function applyAction(s: ChallengeState, action: ChallengeAction, ctx: { now: number; otp: string }): StepResult {
  if (s.status === 'done') return { state: s, done: false };
  if (isExpired(s, ctx.now)) return timedOut(s);
  const base: ChallengeState = { ...s, interactions: s.interactions + 1, notice: undefined };
  switch (action.kind) {
    case 'cancel': {
      const outcome: ChallengeOutcome = { transStatus: 'U', cresStatus: 'N', challengeCancel: '01' };
      return { state: { ...base, status: 'done', outcome }, done: true };
    }
    case 'resend': {
      if (!SPECS[s.ui].resendable) return { state: base, done: false };
      if (s.resends >= MAX_RESENDS) return { state: { ...base, notice: 'resend-limit' }, done: false };
      return { state: { ...base, resends: s.resends + 1, notice: 'resent' }, done: false };
    }
    case 'oob-continue':
    case 'submit': {
      const value = action.kind === 'submit' ? action.value : '';
      const right = action.kind === 'oob-continue' ? s.ui === 'oob' : isRight(s.ui, value, ctx.otp);
      if (right) {
        return { state: { ...base, status: 'done', outcome: { transStatus: 'Y', cresStatus: 'Y' } }, done: true };
      }
      const failures = s.failures + 1;
      if (failures >= s.maxAttempts) {
        const outcome: ChallengeOutcome = { transStatus: 'N', cresStatus: 'N', transStatusReason: '01' };
        return { state: { ...base, failures, status: 'done', outcome }, done: true };
      }
      return { state: { ...base, failures, notice: 'wrong' }, done: false };
    }
  }
}
