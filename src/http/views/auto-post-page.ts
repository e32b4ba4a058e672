// A page that POSTs form fields to another origin at once (SPEC §4, §5): the CRes to the merchant's
// notificationURL, the 3DS Method answer to its notification URL. The script runs under the CSP nonce;
// the submit button stays visible for browsers without JavaScript.
import { html, httpUrlAttr } from './html.js';
import type { Page } from './page.js';
import { ACS_CSS } from './styles.js';

const SUBMIT_NOW = "document.getElementById('m3ds-post').submit();";

export function autoPostPage(action: string, fields: Readonly<Record<string, string>>, title = 'Returning to the merchant'): Page {
  const inputs = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const body = html`<main>
<p>${title}…</p>
<form id="m3ds-post" name="autoPost" method="post" action="${httpUrlAttr(action)}">${inputs}
<noscript><p>JavaScript is off: press Continue.</p></noscript>
<input type="submit" value="Continue"></form>
</main>`;
  return { title, css: ACS_CSS, body, script: SUBMIT_NOW };
}
