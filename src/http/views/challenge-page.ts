// The ACS challenge page (SPEC §5) for every UI: code entry (and the issuer-branded HTML variant),
// single select, multi select, out of band. The code form keeps the selectors browser automation
// relies on: form[name="cardholderInput"], input[name="challengeDataEntry"], and a submit
// input[value="SUBMIT"]. Every form posts to view.submitUrl; cancel and resend are separate forms so
// the code field's `required` does not block them.
import type { ChallengeView } from '../../protocol/flows/browser-challenge/browser-challenge.js';
import { html, httpUrlAttr, jsonForScript, type SafeHtml } from './html.js';
import type { Page } from './page.js';
import { ACS_CSS } from './styles.js';

// Counts the time left down; data comes from the JSON element, no inline handlers.
const COUNTDOWN =
  "(function(){var n=document.getElementById('m3ds-data'),el=document.getElementById('m3ds-left');if(!n||!el)return;" +
  'var end=Date.now()+JSON.parse(n.textContent).remainingMs;function t(){var s=Math.max(0,Math.round((end-Date.now())/1000));' +
  "el.textContent=Math.floor(s/60)+':'+String(s%60).padStart(2,'0');if(s>0)setTimeout(t,1000);}t();})();";

function notice(v: ChallengeView): SafeHtml | string {
  switch (v.notice) {
    case 'wrong': {
      const left = `${v.attemptsLeft} attempt${v.attemptsLeft === 1 ? '' : 's'} left`;
      const what = v.ui.kind === 'single-select' || v.ui.kind === 'multi-select' ? 'That answer is not right.' : 'That code is not right.';
      return html`<p class="notice" role="alert">${what} ${left}.</p>`;
    }
    case 'resent':
      return html`<p class="notice ok" role="status">A new code has been sent.</p>`;
    case 'resend-limit':
      return html`<p class="notice" role="alert">No more codes can be sent.</p>`;
    default:
      return '';
  }
}

function hidden(v: ChallengeView): SafeHtml {
  return html`<input type="hidden" name="threeDSServerTransID" value="${v.threeDSServerTransID}">`;
}

function mainForm(v: ChallengeView, action: string): SafeHtml {
  const ui = v.ui;
  switch (ui.kind) {
    case 'text':
    case 'html':
      return html`<form name="cardholderInput" method="post" action="${action}">${hidden(v)}
<label for="m3ds-code">${ui.label}</label>
<input id="m3ds-code" name="challengeDataEntry" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="45" required autofocus>
<input type="submit" value="SUBMIT"></form>`;
    case 'single-select':
      return html`<form name="cardholderInput" method="post" action="${action}">${hidden(v)}
<fieldset class="opts"><legend>${ui.label}</legend>${(ui.options ?? []).map(
        (o, i) =>
          html`<label><input type="radio" name="challengeDataEntry" value="${o.key}"${i === 0 ? html` required` : ''}> ${o.label}</label>`,
      )}</fieldset>
<input type="submit" value="SUBMIT"></form>`;
    case 'multi-select':
      return html`<form name="cardholderInput" method="post" action="${action}">${hidden(v)}
<fieldset class="opts"><legend>${ui.label}</legend>${(ui.options ?? []).map(
        (o) => html`<label><input type="checkbox" name="select-${o.key}" value="${o.key}"> ${o.label}</label>`,
      )}</fieldset>
<input type="submit" value="SUBMIT"></form>`;
    case 'oob':
      return html`<form name="cardholderInput" method="post" action="${action}">${hidden(v)}
<input type="hidden" name="action" value="oob-continue">
<input type="submit" value="${ui.submitLabel}"></form>`;
  }
}

export function challengePage(v: ChallengeView): Page {
  const action = httpUrlAttr(v.submitUrl);
  const ui = v.ui;
  const txn = [
    v.merchantName !== undefined ? html`<dt>Merchant</dt><dd>${v.merchantName}</dd>` : '',
    v.amount !== undefined ? html`<dt>Amount</dt><dd>${v.amount}</dd>` : '',
    v.maskedPan !== undefined ? html`<dt>Card</dt><dd>${v.maskedPan}</dd>` : '',
  ];
  const resend =
    ui.resendable && v.resendsLeft > 0
      ? html`<form name="resendForm" method="post" action="${action}">${hidden(v)}<button type="submit" name="action" value="resend">Resend code</button></form>`
      : '';
  const minutes = Math.floor(v.remainingMs / 60_000);
  const seconds = Math.floor((v.remainingMs % 60_000) / 1000);
  const body = html`<main>
<header><span>${ui.kind === 'html' ? 'Mock Issuer Bank' : 'Mock ACS'}</span><span>3-D Secure</span></header>
<h1>${ui.header}</h1>
<p class="info">${ui.info}</p>
<dl class="txn">${txn}</dl>
${notice(v)}
${mainForm(v, action)}
<div class="row">${resend}<form name="cancelForm" method="post" action="${action}">${hidden(v)}<button type="submit" name="action" value="cancel">Cancel</button></form></div>
<p class="foot">Attempts left: ${v.attemptsLeft} · Time left: <span id="m3ds-left">${minutes}:${String(seconds).padStart(2, '0')}</span></p>
</main>`;
  return {
    title: ui.header,
    bodyClass: `w${v.windowSize}${ui.kind === 'html' ? ' issuer' : ''}`,
    css: ACS_CSS,
    body,
    script: COUNTDOWN,
    data: jsonForScript({ remainingMs: v.remainingMs }),
  };
}
