// The QA console's page (SPEC §17): static markup, its stylesheet and its script as files of the same
// origin (console-assets.ts), so the CSP needs neither a nonce nor 'unsafe-inline'. Everything that
// changes is filled in by the script (client/console.ts and the modules it imports) with DOM calls and
// textContent, never innerHTML.
// Every control is a real button, input or select with a label; the views are tabs (arrow keys move
// between them).
import { html } from '../html.js';

export const CONSOLE_PATH = '/console';
export const ASSETS_PATH = '/console/assets';
export const NOTIFY_PATH = '/console/notify';

/** The EMV challengeWindowSize codes and the frame each asks for (05: the whole box). */
const WINDOW_SIZES: readonly [string, string][] = [
  ['01', '01 · 250 × 400'],
  ['02', '02 · 390 × 400'],
  ['03', '03 · 500 × 600'],
  ['04', '04 · 600 × 400'],
  ['05', '05 · full page'],
];
const VERSIONS = ['2.1.0', '2.2.0', '2.3.1'];
const CHALLENGE_INDS: readonly [string, string][] = [
  ['01', '01 · no preference'],
  ['02', '02 · no challenge requested'],
  ['03', '03 · challenge requested (3DS Requestor preference)'],
  ['04', '04 · challenge requested (mandate)'],
  ['05', '05 · no challenge (risk analysis already done)'],
  ['06', '06 · no challenge (data share only)'],
  ['07', '07 · no challenge (SCA already done)'],
];
const STATUSES = ['Y', 'N', 'U', 'A', 'C', 'R', 'D', 'I', 'E'];

const options = (list: readonly (readonly [string, string])[], selected?: string) =>
  list.map(([v, label]) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${label}</option>`);

function transactionsPanel() {
  return html`<section role="tabpanel" id="panel-transactions" aria-labelledby="tab-transactions" class="panel">
<div class="split">
<div class="pane">
<form id="filters" class="filters" aria-label="Filter the transactions">
<div class="field"><label for="f-last4">Last 4</label><input id="f-last4" name="last4" inputmode="numeric" maxlength="4" pattern="[0-9]{4}" size="5" autocomplete="off"></div>
<div class="field"><label for="f-status">Status</label><select id="f-status" name="status"><option value="">any</option>${STATUSES.map((s) => html`<option>${s}</option>`)}</select></div>
<div class="field"><label for="f-flow">Flow</label><select id="f-flow" name="flow"><option value="">any</option><option>browser</option><option>app</option><option>3ri</option></select></div>
<div class="field"><label for="f-api">API</label><select id="f-api" name="api"><option value="">any</option><option>mock</option><option>netcetera</option></select></div>
<div class="field check"><input id="f-live" type="checkbox" checked><label for="f-live">Live (every 2 s)</label></div>
<button type="reset">Clear filters</button>
</form>
<p id="list-state" class="state" role="status"></p>
<div class="scroll"><table id="tx-table" class="grid">
<caption>Recent transactions, newest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Card</th><th scope="col">Status</th><th scope="col">Stage</th><th scope="col">Flow · API</th><th scope="col">Scenario</th><th scope="col">Version</th></tr></thead>
<tbody id="tx-body"></tbody></table></div>
</div>
<div class="pane" id="detail" aria-labelledby="detail-h">
<h2 id="detail-h" tabindex="-1">Timeline</h2>
<p id="detail-empty" class="hint">Choose a transaction (its time) to see every message of its trail.</p>
<div id="detail-body" hidden>
<dl id="detail-summary" class="facts"></dl>
<div class="bar"><button type="button" id="detail-refresh">Refresh</button><button type="button" id="detail-expand">Expand all</button><button type="button" id="detail-collapse">Collapse all</button></div>
<ol id="timeline" class="timeline"></ol>
<details class="record"><summary>Transaction record</summary><pre id="detail-record"></pre></details>
</div>
</div>
</div>
</section>`;
}

function cardsPanel() {
  return html`<section role="tabpanel" id="panel-cards" aria-labelledby="tab-cards" class="panel" hidden>
<div class="split">
<div class="pane">
<form id="run-options" class="filters" aria-label="How the console plays the merchant">
<div class="field"><label for="o-size">Challenge window</label><select id="o-size">${options(WINDOW_SIZES, '03')}</select></div>
<div class="field"><label for="o-version">Preferred version</label><select id="o-version">${options(
    VERSIONS.map((v) => [v, v]),
    '2.2.0',
  )}</select></div>
<div class="field"><label for="o-ind">Challenge indicator</label><select id="o-ind">${options(CHALLENGE_INDS, '01')}</select></div>
</form>
<form id="run-pan" class="filters" aria-label="Run any card number">
<div class="field grow"><label for="o-pan">Any card number</label><input id="o-pan" inputmode="numeric" pattern="[0-9]{13,19}" maxlength="19" autocomplete="off" placeholder="4000400040004001"></div>
<button type="submit">Run this card</button>
</form>
<div class="scroll"><table id="cards-table" class="grid">
<caption>Test cards (the configured scenario table)</caption>
<thead><tr><th scope="col">Card number</th><th scope="col">Key</th><th scope="col">Scenario</th><th scope="col">Outcome</th><th scope="col"><span class="sr-only">Run</span></th></tr></thead>
<tbody id="cards-body"></tbody></table></div>
</div>
<div class="pane" aria-labelledby="run-h">
<h2 id="run-h" tabindex="-1">Browser flow</h2>
<p id="run-idle" class="hint">Run a card: the console plays the merchant — /3ds/version, the 3DS Method in a hidden frame, /3ds/authenticate, the ACS page in a frame of the chosen challenge window, the CRes back at ${NOTIFY_PATH}, then /3ds/final.</p>
<div id="run-box" hidden>
<ol id="run-steps" class="steps" aria-live="polite"></ol>
<div id="challenge-box" class="challenge" hidden></div>
<div id="method-box" class="method-box"></div>
<div class="bar"><button type="button" id="run-stop">Stop</button><button type="button" id="run-open">Open its timeline</button></div>
<h3>Final outcome</h3>
<p id="run-outcome" class="outcome" role="status"></p>
<pre id="run-final"></pre>
</div>
</div>
</div>
</section>`;
}

function appPanel() {
  return html`<section role="tabpanel" id="panel-app" aria-labelledby="tab-app" class="panel" hidden>
<div class="split">
<div class="pane">
<form id="app-form" class="stack" aria-label="Run an app flow">
<p class="hint">The server plays the 3DS SDK (an ephemeral P-256 key, acsSignedContent checked against its certificate, the session key, CReq and CRes as JWE) and this page shows every message.</p>
<div class="field"><label for="a-card">Card</label><select id="a-card"></select></div>
<div class="field"><label for="a-pan">or any card number</label><input id="a-pan" inputmode="numeric" pattern="[0-9]{13,19}" maxlength="19" autocomplete="off"></div>
<div class="field"><label for="a-answer">Cardholder's answer</label><input id="a-answer" value="1234" maxlength="45" autocomplete="off" aria-describedby="a-answer-hint">
<p id="a-answer-hint" class="hint">The one-time code (protocol.otp, 1234 by default); single select: 02; multi select: 01,03; out of band: anything (continue).</p></div>
<div class="field check"><input id="a-cancel" type="checkbox"><label for="a-cancel">Cancel the challenge instead</label></div>
<div class="field"><label for="a-version">Message version</label><select id="a-version">${options(
    VERSIONS.map((v) => [v, v]),
    '2.2.0',
  )}</select></div>
<div class="field"><label for="a-enc">CReq/CRes encryption</label><select id="a-enc"><option>A128CBC-HS256</option><option>A128GCM</option></select></div>
<button type="submit">Run the app flow</button>
</form>
</div>
<div class="pane" aria-labelledby="app-h">
<h2 id="app-h" tabindex="-1">App flow</h2>
<p id="app-state" class="state" role="status"></p>
<ol id="app-steps" class="timeline"></ol>
<h3>Final outcome</h3>
<p id="app-outcome" class="outcome"></p>
<pre id="app-final"></pre>
</div>
</div>
</section>`;
}

function overridesPanel() {
  return html`<section role="tabpanel" id="panel-overrides" aria-labelledby="tab-overrides" class="panel" hidden>
<div class="split">
<div class="pane">
<form id="ov-form" class="stack" aria-label="Set an override">
<p class="hint">An override gives a card another scenario until it is removed: every worker (and every instance on the same Redis) follows it from the next transaction on. A full card number beats its last 4.</p>
<div class="field"><label for="ov-key">Card: full number or last 4</label><input id="ov-key" required inputmode="numeric" pattern="[0-9]{4}|[0-9]{13,19}" maxlength="19" autocomplete="off"></div>
<div class="field"><label for="ov-scenario">Scenario</label><select id="ov-scenario" required></select></div>
<button type="submit">Set override</button>
</form>
<p id="ov-state" class="state" role="status"></p>
</div>
<div class="pane" aria-labelledby="ov-h">
<h2 id="ov-h">Overrides in force</h2>
<table id="ov-table" class="grid"><caption class="sr-only">Overrides in force</caption>
<thead><tr><th scope="col">Card</th><th scope="col">Scenario</th><th scope="col">Set by</th><th scope="col">Set at</th><th scope="col"><span class="sr-only">Remove</span></th></tr></thead>
<tbody id="ov-body"></tbody></table>
<p id="ov-empty" class="hint">No override: every card follows the configured table.</p>
<div class="bar"><button type="button" id="ov-clear">Remove all overrides</button><button type="button" id="reset" class="danger" aria-describedby="reset-hint">Reset: forget transactions and overrides</button></div>
<p id="reset-hint" class="hint">The reset empties the list of transactions and their trails and removes every override; flows in progress go on.</p>
</div>
</div>
</section>`;
}

/** The whole page; `base` is server.publicUrl (shown, never used for a request). */
export function consolePage(base: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>QA console · Mock 3DS Server</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="${ASSETS_PATH}/console.css">
<script type="module" src="${ASSETS_PATH}/console.js"></script></head>
<body>
<a class="skip" href="#main">Skip to the console</a>
<header class="top"><h1>Mock 3DS Server <span>QA console</span></h1><p class="base">${base}</p>
<p id="who" hidden><span id="who-name"></span> <button type="button" id="signout">Forget the token</button></p></header>
<main id="main">
<noscript><p class="error">The console needs JavaScript.</p></noscript>
<section id="login" class="login" aria-labelledby="login-h">
<h2 id="login-h">Admin token</h2>
<form id="login-form" class="stack">
<div class="field"><label for="token">Bearer token of /__admin</label><input id="token" type="password" required autocomplete="off" spellcheck="false" aria-describedby="token-hint"></div>
<p id="token-hint" class="hint">security.adminToken or one of security.adminTokens. In development with no token configured, the server generated one: it is the "adminToken" of the "ready" log line. The token stays in this tab (sessionStorage) and goes to /__admin only.</p>
<button type="submit">Open the console</button>
<p id="login-error" class="error" role="alert"></p>
</form>
</section>
<div id="app" hidden>
<nav class="tabs" role="tablist" aria-label="Views">
<button type="button" role="tab" id="tab-transactions" aria-controls="panel-transactions" aria-selected="true">Transactions</button>
<button type="button" role="tab" id="tab-cards" aria-controls="panel-cards" aria-selected="false" tabindex="-1">Test cards</button>
<button type="button" role="tab" id="tab-app" aria-controls="panel-app" aria-selected="false" tabindex="-1">App flow</button>
<button type="button" role="tab" id="tab-overrides" aria-controls="panel-overrides" aria-selected="false" tabindex="-1">Overrides</button>
</nav>
<p id="app-error" class="error" role="alert"></p>
${transactionsPanel()}${cardsPanel()}${appPanel()}${overridesPanel()}
</div>
</main></body></html>`.value;
}
