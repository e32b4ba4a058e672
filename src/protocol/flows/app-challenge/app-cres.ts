// CRes messages of the app challenge (SPEC §6): the UI of the scenario in the elements EMV defines per
// acsUiType (01 text, 02 single select, 03 multi select, 04 OOB, 05 HTML), and the final CRes. The texts
// are the ones the browser pages show (challenge-machine's UiSpec), so both channels say the same. Each
// CRes is shaped for its messageVersion (SPEC §15, rules/message-shapes.ts): the 2.3.1 text UI has its
// entry box as challengeEntryBox, earlier versions label it with challengeInfoLabel.
import { shapeCRes } from '../../rules/message-shapes.js';
import { attemptsLeft, type ChallengeState, MAX_RESENDS, type UiSpec, uiSpec } from '../../transaction/challenge-machine.js';
import { toBase64Url } from '../../wire/encoding.js';

/** The IDs and version every CRes echoes, and its acsCounterAtoS. */
export interface CResHead {
  threeDSServerTransID: string;
  acsTransID: string;
  sdkTransID: string;
  messageVersion: string;
  acsCounterAtoS: number;
}

export type AppCRes = Record<string, unknown>;

// The form action EMV prescribes for issuer HTML: the SDK intercepts it and sends the form body as
// challengeHTMLDataEntry instead of navigating.
const HTML_SUBMIT_URL = 'HTTPS://EMV3DS/challenge';
const WHY_LABEL = 'Why am I asked this?';
const WHY_TEXT = 'Your bank checks that it is really you making this purchase. This is a test ACS: no real bank is involved.';
const EXPAND_LABEL = 'Need help?';
/** The one-time code's longest accepted length, for the 2.3.1 entry box. */
const CODE_LENGTH_MAX = '08';

function head(h: CResHead): AppCRes & { messageVersion: string } {
  return {
    threeDSServerTransID: h.threeDSServerTransID,
    acsTransID: h.acsTransID,
    sdkTransID: h.sdkTransID,
    messageType: 'CRes',
    messageVersion: h.messageVersion,
    acsCounterAtoS: String(h.acsCounterAtoS).padStart(3, '0'),
  };
}

/** challengeInfoText with the notice of the last step (wrong code, code resent). */
function infoText(ui: UiSpec, ch: ChallengeState): string {
  switch (ch.notice) {
    case 'wrong': {
      const left = attemptsLeft(ch);
      return `That was not right. ${left} ${left === 1 ? 'attempt' : 'attempts'} left. ${ui.info}`;
    }
    case 'resent':
      return `We sent you a new code. ${ui.info}`;
    case 'resend-limit':
      return `No more codes can be sent. ${ui.info}`;
    default:
      return ui.info;
  }
}

function expandText(ui: UiSpec): string {
  switch (ui.kind) {
    case 'text':
    case 'html':
      // The code itself is configuration marked sensitive: named, never shown.
      return 'Test ACS: enter the one-time code configured for this server (protocol.otp).';
    case 'oob':
      return 'Test ACS: there is no banking app; press the button to approve.';
    default:
      return 'Test ACS: the right answers are marked (correct).';
  }
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The issuer page of acsUiType 05: self-contained (no script, no external resource), one form posting
 * to the EMV URL with the code, a resend and a cancel button.
 */
function acsHtml(ui: UiSpec, ch: ChallengeState): string {
  const resend =
    ui.resendable && ch.resends < MAX_RESENDS ? '<button type="submit" name="action" value="resend">Send a new code</button>' : '';
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(ui.header)}</title>`,
    '<style>body{font-family:sans-serif;margin:16px}input,button{font-size:1em;margin:4px 0;padding:8px;width:100%}</style>',
    `</head><body><h1>${escapeHtml(ui.header)}</h1>`,
    `<p>${escapeHtml(infoText(ui, ch))}</p>`,
    `<form method="post" action="${HTML_SUBMIT_URL}">`,
    `<label for="code">${escapeHtml(ui.label)}</label>`,
    '<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8">',
    `<button type="submit" name="action" value="submit">${escapeHtml(ui.submitLabel)}</button>`,
    resend,
    '<button type="submit" name="action" value="cancel">Cancel</button>',
    '</form></body></html>',
  ].join('');
}

/** The CRes that shows (or shows again) the challenge: challengeCompletionInd "N". */
export function challengeCRes(h: CResHead, ch: ChallengeState): AppCRes {
  const ui = uiSpec(ch.ui);
  const m: AppCRes & { messageVersion: string } = { ...head(h), acsUiType: ui.acsUiType, challengeCompletionInd: 'N' };
  if (ui.kind === 'html') {
    m.acsHTML = toBase64Url(acsHtml(ui, ch));
    return shapeCRes(m);
  }
  m.challengeInfoHeader = ui.header;
  m.challengeInfoText = infoText(ui, ch);
  m.challengeInfoTextIndicator = ch.notice === 'wrong' ? 'Y' : 'N';
  if (ui.kind === 'oob') {
    m.oobContinueLabel = ui.submitLabel;
  } else {
    m.challengeInfoLabel = ui.label;
    if (ui.kind === 'text') {
      // Annex A Table A.26: the text UI's entry box (2.3.1); the shaper keeps it or challengeInfoLabel.
      m.challengeEntryBox = {
        challengeDataEntryKeyboardType: '01',
        challengeDataEntryLengthMax: CODE_LENGTH_MAX,
        challengeDataEntryLabel: ui.label,
        challengeDataEntryMasking: 'N',
      };
    }
    m.submitAuthenticationLabel = ui.submitLabel;
  }
  if (ui.options) m.challengeSelectInfo = ui.options.map((o) => ({ [o.key]: o.label }));
  if (ui.resendable && ch.resends < MAX_RESENDS) m.resendInformationLabel = 'Send a new code';
  m.whyInfoLabel = WHY_LABEL;
  m.whyInfoText = WHY_TEXT;
  m.expandInfoLabel = EXPAND_LABEL;
  m.expandInfoText = expandText(ui);
  return shapeCRes(m);
}

/**
 * The last CRes: challengeCompletionInd "Y" and the status the cardholder's app acts on; acsUiType, the
 * challenge's, stays where the version requires it in the final CRes too (2.2.0).
 */
export function finalCRes(h: CResHead, transStatus: 'Y' | 'N', acsUiType: string): AppCRes {
  return shapeCRes({ ...head(h), acsUiType, challengeCompletionInd: 'Y', transStatus });
}
